"use client";

import { useRemote } from "@/components/use-remote";
import { api } from "@/lib/api";
import type { Conversation } from "@/lib/types";

interface ConversationListProps {
  activeId: number | null;
  /** Changes when a conversation was started or continued, so the list loads again. */
  version: number;
  onSelect: (id: number | null) => void;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function label(conversation: Conversation): string {
  return conversation.title?.trim() || `Conversation ${conversation.id}`;
}

export function ConversationList({ activeId, version, onSelect }: ConversationListProps) {
  const { data: conversations, error } = useRemote(api.listConversations, version);
  return (
    <nav className="panel conversations" aria-labelledby="conversations-heading">
      <div className="panel__header">
        <h2 id="conversations-heading">Conversations</h2>
        <button type="button" className="button button--primary" onClick={() => onSelect(null)}>
          New chat
        </button>
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {conversations?.length === 0 && <p className="empty">No conversations yet.</p>}
      <ul className="conversation-list">
        {conversations?.map((conversation) => (
          <li key={conversation.id}>
            <button
              type="button"
              className="conversation"
              aria-current={conversation.id === activeId ? "true" : undefined}
              onClick={() => onSelect(conversation.id)}
            >
              <span className="conversation__title">{label(conversation)}</span>
              <time className="conversation__time" dateTime={conversation.updated_at}>
                {dateFormat.format(new Date(conversation.updated_at))}
              </time>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
