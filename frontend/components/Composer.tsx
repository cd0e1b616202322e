"use client";

import { type FormEvent, type KeyboardEvent, type RefObject } from "react";

import { MESSAGE_MAX } from "@/lib/api-schema";

interface ComposerProps {
  draft: string;
  onDraftChange: (draft: string) => void;
  onSend: () => void;
  onStop: () => void;
  /** A reply is being written: the button stops it instead of sending. */
  busy: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  autoFocus?: boolean;
}

export function Composer({ draft, onDraftChange, onSend, onStop, busy, inputRef, autoFocus }: ComposerProps) {
  const length = draft.trim().length;
  const tooLong = length > MESSAGE_MAX;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!busy && length > 0 && !tooLong) onSend();
  }

  function sendOnEnter(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  }

  return (
    <form className="composer" onSubmit={submit} aria-label="Send a message">
      <label htmlFor="chat-input" className="sr-only">
        Message
      </label>
      <textarea
        id="chat-input"
        ref={inputRef}
        className="composer__input"
        value={draft}
        onChange={(event) => onDraftChange(event.target.value)}
        onKeyDown={sendOnEnter}
        placeholder="Ask me to add, list, complete, update or delete tasks…"
        aria-describedby="chat-input-hint chat-input-count"
        aria-invalid={tooLong}
        rows={2}
        autoFocus={autoFocus}
      />
      <span id="chat-input-hint" className="sr-only">
        Enter sends the message; Shift+Enter starts a new line.
      </span>
      {busy ? (
        <button type="button" className="button button--stop" onClick={onStop}>
          Stop
        </button>
      ) : (
        <button type="submit" className="button button--primary" disabled={length === 0 || tooLong}>
          Send
        </button>
      )}
      <div className="composer__meta">
        {tooLong && (
          <span role="alert" className="composer__error">
            {length - MESSAGE_MAX} characters too many: shorten your message to send it.
          </span>
        )}
        <span id="chat-input-count" className={tooLong ? "composer__count composer__count--over" : "composer__count"}>
          {length} / {MESSAGE_MAX}
          <span className="sr-only"> characters</span>
        </span>
      </div>
    </form>
  );
}
