"use client";

import { useEffect, useState } from "react";

import { Markdown } from "@/components/Markdown";
import type { ToolBadge } from "@/lib/turns";

export interface DisplayedMessage {
  key: string;
  role: "user" | "assistant";
  content: string;
  /** ISO time it was sent or stored; absent while a reply is being written. */
  createdAt?: string;
  /** What the agent did during this turn. */
  tools?: ToolBadge[];
  /** How the turn went, for the assistant's side of a turn of this visit. */
  state?: "waiting" | "streaming" | "stopped" | "failed" | "unsent";
  error?: string | null;
  /** The turn of this visit it belongs to (failed turns can be sent again). */
  turnId?: number;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const COPIED_MS = 2_000;

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);
  async function copy() {
    await navigator.clipboard?.writeText(text).then(() => setCopied(true), () => undefined);
  }
  return (
    <button type="button" className="message__action" onClick={copy} aria-label={copied ? "Copied" : "Copy message"}>
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

function ToolBadges({ tools }: { tools: ToolBadge[] }) {
  return (
    <ul className="tool-results" aria-label="Actions taken">
      {tools.map((tool) => (
        <li key={tool.id} className={`tool-result${tool.running ? " tool-result--running" : tool.ok ? "" : " tool-result--failed"}`}>
          <span aria-hidden="true">{tool.running ? "…" : tool.ok ? "✓" : "✗"}</span> {tool.text}
        </li>
      ))}
    </ul>
  );
}

function Footer({ message }: { message: DisplayedMessage }) {
  const { createdAt, state, content } = message;
  return (
    <div className="message__footer">
      {createdAt && (
        <time dateTime={createdAt} title={fullFormat.format(new Date(createdAt))}>
          {timeFormat.format(new Date(createdAt))}
        </time>
      )}
      {state === "stopped" && <span className="message__note">Stopped</span>}
      {state === "unsent" && <span className="message__note">Not sent</span>}
      {content && state !== "streaming" && <CopyButton text={content} />}
    </div>
  );
}

interface MessageBubbleProps {
  message: DisplayedMessage;
  onRetry: (turnId: number) => void;
}

export function MessageBubble({ message, onRetry }: MessageBubbleProps) {
  const { role, content, tools, state } = message;
  const author = role === "user" ? "You" : "Assistant";
  const waiting = state === "waiting" || (state === "streaming" && !content);
  return (
    <li className={`message message--${role}${state ? ` message--${state}` : ""}`} aria-busy={state === "streaming" || state === "waiting"}>
      <span className="sr-only">{author}: </span>
      {tools && tools.length > 0 && <ToolBadges tools={tools} />}
      {waiting && <p className="message__thinking">Thinking…</p>}
      {content && (role === "assistant" ? <Markdown text={content} /> : <p className="message__text">{content}</p>)}
      {state === "failed" && (
        <div className="message__error" role="alert">
          <p>{message.error}</p>
          {message.turnId !== undefined && (
            <button type="button" className="button button--small" onClick={() => onRetry(message.turnId!)}>
              Retry
            </button>
          )}
        </div>
      )}
      {!waiting && <Footer message={message} />}
    </li>
  );
}
