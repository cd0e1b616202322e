"use client";

import { type FormEvent, type KeyboardEvent, useCallback, useRef, useState } from "react";

import { type DisplayedMessage, MessageLog } from "@/components/MessageLog";
import { useApiErrorHandler, useRemote } from "@/components/use-remote";
import { api, ApiError } from "@/lib/api";
import { summarizeToolCall } from "@/lib/tool-calls";
import type { ChatReply } from "@/lib/types";

const SUGGESTIONS = ["Add a task to buy groceries", "Show me all my tasks", "What's pending?"];

interface History {
  messages: DisplayedMessage[];
  /** The conversation asked for does not exist (for this user). */
  missing: boolean;
}

interface ChatPanelProps {
  /** The conversation to resume, or null to start a new one with the first message. */
  conversationId: number | null;
  /** Called after every successful turn (the agent may have changed tasks or started a conversation). */
  onTurnComplete: (reply: ChatReply) => void;
}

export function ChatPanel({ conversationId: initialConversationId, onTurnComplete }: ChatPanelProps) {
  const [conversationId, setConversationId] = useState(initialConversationId);
  const [turns, setTurns] = useState<DisplayedMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [pending, setPending] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const describeError = useApiErrorHandler();
  const inputRef = useRef<HTMLTextAreaElement>(null);

  const loadHistory = useCallback(async (): Promise<History> => {
    if (initialConversationId === null) return { messages: [], missing: false };
    try {
      const messages = await api.listMessages(initialConversationId);
      const saved = messages.map(({ id, role, content }) => ({ key: `saved-${id}`, role, content }));
      return { messages: saved, missing: false };
    } catch (error) {
      // A deleted conversation, or a link to someone else's: start afresh instead of failing every message.
      if (error instanceof ApiError && error.status === 404) return { messages: [], missing: true };
      throw error;
    }
  }, [initialConversationId]);
  const history = useRemote(loadHistory);
  const missing = turns.length === 0 && history.data?.missing === true;
  const messages = [...(history.data?.messages ?? []), ...turns];

  async function send(text: string) {
    const message = text.trim();
    if (!message || pending !== null) return;
    setPending(message);
    setSendError(null);
    try {
      const reply = await api.sendMessage(message, missing ? null : conversationId);
      const key = `${reply.conversation_id}-${turns.length}`;
      setTurns((previous) => [
        ...previous,
        { key: `${key}-user`, role: "user", content: message },
        {
          key: `${key}-assistant`,
          role: "assistant",
          content: reply.response,
          tools: reply.tool_calls.map(summarizeToolCall),
        },
      ]);
      setConversationId(reply.conversation_id);
      setDraft("");
      onTurnComplete(reply);
    } catch (error) {
      // The draft stays in the input so the user can send it again.
      setSendError(describeError(error));
    } finally {
      setPending(null);
      inputRef.current?.focus();
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(draft);
  }

  function sendOnEnter(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send(draft);
    }
  }

  const isEmpty = messages.length === 0 && pending === null;
  return (
    <section className="panel chat" aria-label="Chat">
      {history.error && (
        <p className="notice notice--error" role="alert">
          {history.error}
        </p>
      )}
      {missing && (
        <p className="notice notice--info" role="status">
          That conversation could not be found. Your next message starts a new one.
        </p>
      )}
      {history.loading && initialConversationId !== null ? (
        <p className="chat__placeholder" role="status">
          Loading conversation…
        </p>
      ) : isEmpty ? (
        <div className="chat__placeholder">
          <h2>What can I do for you?</h2>
          <p>Manage your todo list in plain English. Try one of these:</p>
          <ul className="suggestions" aria-label="Suggestions">
            {SUGGESTIONS.map((suggestion) => (
              <li key={suggestion}>
                <button type="button" className="suggestion" onClick={() => setDraft(suggestion)}>
                  {suggestion}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <MessageLog messages={messages} pending={pending} />
      {sendError && (
        <p className="notice notice--error" role="alert">
          {sendError} Your message was not sent; it is still in the box below.
        </p>
      )}
      <form className="composer" onSubmit={submit}>
        <label htmlFor="chat-input" className="sr-only">
          Message
        </label>
        <textarea
          id="chat-input"
          ref={inputRef}
          className="composer__input"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={sendOnEnter}
          placeholder="Ask me to add, list, complete, update or delete tasks…"
          aria-describedby="chat-input-hint"
          rows={2}
          readOnly={pending !== null}
        />
        <span id="chat-input-hint" className="sr-only">
          Enter sends the message; Shift+Enter starts a new line.
        </span>
        <button type="submit" className="button button--primary" disabled={pending !== null || !draft.trim()}>
          {pending !== null ? "Sending…" : "Send"}
        </button>
      </form>
    </section>
  );
}
