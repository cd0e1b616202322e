"use client";

import { useLayoutEffect, useRef } from "react";

import { type DisplayedMessage, MessageBubble } from "@/components/MessageBubble";

export type { DisplayedMessage };

/** How close to the bottom (px) still counts as "reading the newest": a streaming reply keeps it in view. */
const FOLLOW_MARGIN = 80;

/**
 * The conversation, opened at the newest message and kept there while a reply streams in, unless the user
 * scrolled up to read. Focusable, so keyboard users can scroll it.
 */
export function MessageLog({ messages, onRetry }: { messages: DisplayedMessage[]; onRetry: (turnId: number) => void }) {
  const logRef = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const last = messages.at(-1);
  const lastLength = last ? last.content.length + (last.tools?.length ?? 0) : 0;

  useLayoutEffect(() => {
    following.current = true;
  }, [messages.length]);

  useLayoutEffect(() => {
    const log = logRef.current;
    if (log && following.current) log.scrollTop = log.scrollHeight;
  }, [messages.length, lastLength]);

  function onScroll() {
    const log = logRef.current;
    if (log) following.current = log.scrollHeight - log.scrollTop - log.clientHeight < FOLLOW_MARGIN;
  }

  return (
    <div className="messages" role="log" aria-label="Messages" tabIndex={0} ref={logRef} onScroll={onScroll} id="messages">
      <ol className="message-list">
        {messages.map((message) => (
          <MessageBubble key={message.key} message={message} onRetry={onRetry} />
        ))}
      </ol>
    </div>
  );
}
