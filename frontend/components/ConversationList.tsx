"use client";

import { type FormEvent, type KeyboardEvent, useRef, useState } from "react";

import { Notice } from "@/components/Notice";
import { type RunChange, useChanges, useRemote } from "@/components/use-remote";
import { api } from "@/lib/api";
import { CONVERSATION_TITLE_MAX } from "@/lib/api-schema";
import type { Conversation } from "@/lib/types";

interface ConversationListProps {
  activeId: number | null;
  /** Changes when a conversation was started or continued, so the list loads again. */
  version: number;
  onSelect: (id: number | null) => void;
  onDeleted: (id: number) => void;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function label(conversation: Conversation): string {
  return conversation.title?.trim() || `Conversation ${conversation.id}`;
}

interface ItemProps {
  conversation: Conversation;
  active: boolean;
  onSelect: () => void;
  /** Runs a change and reloads the list; resolves to false (and shows why) when it failed. */
  change: RunChange;
  onDeleted: () => void;
}

function RenameForm({ conversation, change, onDone }: Pick<ItemProps, "conversation" | "change"> & { onDone: () => void }) {
  const [title, setTitle] = useState(label(conversation));
  async function save(event: FormEvent) {
    event.preventDefault();
    if (await change(() => api.renameConversation(conversation.id, title.trim()))) onDone();
  }
  function cancelOnEscape(event: KeyboardEvent) {
    if (event.key === "Escape") onDone();
  }
  return (
    <form className="rename" onSubmit={save} onKeyDown={cancelOnEscape} aria-label={`Rename '${label(conversation)}'`}>
      <label htmlFor={`rename-${conversation.id}`} className="sr-only">
        New name
      </label>
      <input
        id={`rename-${conversation.id}`}
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        maxLength={CONVERSATION_TITLE_MAX}
        required
        autoFocus
      />
      <button type="submit" className="button button--small button--primary" disabled={!title.trim()}>
        Save
      </button>
      <button type="button" className="button button--small" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

function ConversationItem({ conversation, active, onSelect, change, onDeleted }: ItemProps) {
  const [renaming, setRenaming] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const name = label(conversation);

  async function remove() {
    if (!window.confirm(`Delete the conversation '${name}'? Its messages are deleted too.`)) return;
    if (await change(() => api.deleteConversation(conversation.id))) onDeleted();
  }

  if (renaming) {
    const done = () => {
      setRenaming(false);
      setTimeout(() => renameButton.current?.focus());
    };
    return (
      <li className="conversation-item">
        <RenameForm conversation={conversation} change={change} onDone={done} />
      </li>
    );
  }
  return (
    <li className="conversation-item">
      <button type="button" className="conversation" aria-current={active ? "true" : undefined} onClick={onSelect}>
        <span className="conversation__title">{name}</span>
        <time className="conversation__time" dateTime={conversation.updated_at}>
          {dateFormat.format(new Date(conversation.updated_at))}
        </time>
      </button>
      <div className="conversation__actions">
        <button type="button" ref={renameButton} className="icon-button" onClick={() => setRenaming(true)} aria-label={`Rename '${name}'`}>
          Rename
        </button>
        <button type="button" className="icon-button icon-button--danger" onClick={remove} aria-label={`Delete '${name}'`}>
          Delete
        </button>
      </div>
    </li>
  );
}

export function ConversationList({ activeId, version, onSelect, onDeleted }: ConversationListProps) {
  const { run: change, error: actionError, changes } = useChanges();
  const { data: conversations, error } = useRemote(api.listConversations, `${version}:${changes}`);
  const heading = useRef<HTMLHeadingElement>(null);

  const shown = actionError ?? error;
  return (
    <nav className="panel conversations" id="conversations-panel" aria-labelledby="conversations-heading">
      <div className="panel__header">
        <h2 id="conversations-heading" ref={heading} tabIndex={-1}>
          Conversations
        </h2>
        <button type="button" className="button button--primary" onClick={() => onSelect(null)}>
          New chat
        </button>
      </div>
      {shown && (
        <Notice key={shown} tone="error" dismissable>
          {shown}
        </Notice>
      )}
      {conversations?.length === 0 && <p className="empty">No conversations yet.</p>}
      <ul className="conversation-list">
        {conversations?.map((conversation) => (
          <ConversationItem
            key={conversation.id}
            conversation={conversation}
            active={conversation.id === activeId}
            onSelect={() => onSelect(conversation.id)}
            change={change}
            onDeleted={() => {
              onDeleted(conversation.id);
              heading.current?.focus();
            }}
          />
        ))}
      </ul>
    </nav>
  );
}
