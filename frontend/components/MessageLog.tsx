"use client";

import { useEffect, useRef } from "react";

import type { ToolSummary } from "@/lib/tool-calls";

export interface DisplayedMessage {
  key: string;
  role: "user" | "assistant";
  content: string;
  /** What the agent did during this turn (only for turns of this visit: history stores the words alone). */
  tools?: ToolSummary[];
}

interface MessageLogProps {
  messages: DisplayedMessage[];
  /** The message being sent, shown with a "Thinking…" status until the reply arrives. */
  pending: string | null;
}

/** The conversation, announced politely to screen readers and kept scrolled to the newest message. */
export function MessageLog({ messages, pending }: MessageLogProps) {
  const logRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    logRef.current?.scrollTo?.({ top: logRef.current.scrollHeight });
  }, [messages.length, pending]);

  return (
    <div className="messages" role="log" aria-live="polite" aria-label="Messages" ref={logRef}>
      <ol className="message-list">
        {messages.map((message) => (
          <MessageBubble key={message.key} message={message} />
        ))}
        {pending !== null && <MessageBubble message={{ key: "pending", role: "user", content: pending }} />}
      </ol>
      {pending !== null && (
        <p className="message message--assistant message--pending" role="status">
          Thinking…
        </p>
      )}
    </div>
  );
}

function MessageBubble({ message }: { message: DisplayedMessage }) {
  const author = message.role === "user" ? "You" : "Assistant";
  return (
    <li className={`message message--${message.role}`}>
      <span className="sr-only">{author}: </span>
      {message.tools && message.tools.length > 0 && (
        <ul className="tool-results" aria-label="Actions taken">
          {message.tools.map((tool, index) => (
            <li key={index} className={tool.ok ? "tool-result" : "tool-result tool-result--failed"}>
              <span aria-hidden="true">{tool.ok ? "✓" : "✗"}</span> {tool.text}
            </li>
          ))}
        </ul>
      )}
      <p className="message__text">{message.content}</p>
    </li>
  );
}
