"use client";

import { useCallback, useRef, useState } from "react";

import { Composer } from "@/components/Composer";
import { type DisplayedMessage, MessageLog } from "@/components/MessageLog";
import { Notice } from "@/components/Notice";
import { type ChatCallbacks, useChat } from "@/components/use-chat";
import { useRemote } from "@/components/use-remote";
import { api, ApiError } from "@/lib/api";
import { storedBadges, type Turn } from "@/lib/turns";

const SUGGESTIONS = ["Add a task to buy groceries", "Show me all my tasks", "What's pending?"];

interface History {
  messages: DisplayedMessage[];
  /** The conversation asked for does not exist (for this user). */
  missing: boolean;
}

interface ChatPanelProps extends ChatCallbacks {
  /** The conversation to resume, or null to start a new one with the first message. */
  conversationId: number | null;
  /** Put the focus in the message box when opened (the user picked a conversation or a new chat). */
  focusOnOpen?: boolean;
}

/** A turn of this visit as the two bubbles it shows. */
function bubbles(turn: Turn): DisplayedMessage[] {
  // A message the backend never stored says so instead of showing a time.
  const unsent = turn.status === "failed" && turn.conversationId === null;
  const user: DisplayedMessage = {
    key: `turn-${turn.id}-user`,
    role: "user",
    content: turn.message,
    createdAt: unsent ? undefined : turn.sentAt,
    state: unsent ? "unsent" : undefined,
  };
  const state = turn.status === "sending" ? "waiting" : turn.status === "done" ? undefined : turn.status;
  const assistant: DisplayedMessage = {
    key: `turn-${turn.id}-assistant`,
    role: "assistant",
    content: turn.reply,
    createdAt: turn.repliedAt,
    tools: turn.tools,
    state,
    error: turn.error,
    turnId: turn.id,
  };
  return [user, assistant];
}

function EmptyChat({ onPick }: { onPick: (suggestion: string) => void }) {
  return (
    <div className="chat__placeholder">
      <h2>What can I do for you?</h2>
      <p>Manage your todo list in plain English. Try one of these:</p>
      <ul className="suggestions" aria-label="Suggestions">
        {SUGGESTIONS.map((suggestion) => (
          <li key={suggestion}>
            <button type="button" className="suggestion" onClick={() => onPick(suggestion)}>
              {suggestion}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ChatPanel({ conversationId, focusOnOpen = false, ...callbacks }: ChatPanelProps) {
  const [draft, setDraft] = useState("");
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const chat = useChat(conversationId, callbacks);

  const loadHistory = useCallback(async (): Promise<History> => {
    if (conversationId === null) return { messages: [], missing: false };
    try {
      const messages = await api.listMessages(conversationId);
      const saved = messages.map((message): DisplayedMessage => ({
        key: `saved-${message.id}`,
        role: message.role,
        content: message.content,
        createdAt: message.created_at,
        tools: storedBadges(message.tool_calls),
        state: message.status === "stopped" || message.status === "failed" ? "stopped" : undefined,
      }));
      return { messages: saved, missing: false };
    } catch (error) {
      // A deleted conversation, or a link to someone else's: start afresh instead of failing every message.
      if (error instanceof ApiError && error.status === 404) return { messages: [], missing: true };
      throw error;
    }
  }, [conversationId]);
  const history = useRemote(loadHistory);
  const missing = chat.turns.length === 0 && history.data?.missing === true;

  // History loaded again (after an outage) may already hold turns of this visit: show each message once.
  const saved = history.data?.messages ?? [];
  const savedKeys = new Set(saved.map((message) => message.key));
  const fresh = chat.turns.filter((turn) => !savedKeys.has(`saved-${turn.userMessageId}`));
  const messages = [...saved, ...fresh.flatMap(bubbles)];

  function send() {
    void chat.send(draft.trim(), missing);
    setDraft("");
    inputRef.current?.focus();
  }

  function pick(suggestion: string) {
    setDraft(suggestion);
    inputRef.current?.focus();
  }

  const waitingForHistory = conversationId !== null && history.data === undefined;
  return (
    <section className="panel chat" id="chat-panel" aria-label="Chat">
      {history.error && (
        <Notice key={history.error} tone="error" dismissable>
          {history.error}
        </Notice>
      )}
      {missing && (
        <Notice tone="info" dismissable>
          That conversation could not be found. Your next message starts a new one.
        </Notice>
      )}
      {waitingForHistory ? (
        <p className="chat__placeholder" role="status">
          Loading conversation…
        </p>
      ) : (
        messages.length === 0 && <EmptyChat onPick={pick} />
      )}
      <MessageLog
        messages={messages}
        onRetry={(turnId) => {
          chat.retry(turnId);
          inputRef.current?.focus();
        }}
      />
      <Composer
        draft={draft}
        onDraftChange={setDraft}
        onSend={send}
        onStop={() => {
          chat.stop();
          inputRef.current?.focus();
        }}
        busy={chat.busy}
        inputRef={inputRef}
        autoFocus={focusOnOpen}
      />
    </section>
  );
}
