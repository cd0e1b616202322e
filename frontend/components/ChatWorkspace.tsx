"use client";

import { useState } from "react";

import { ChatPanel } from "@/components/ChatPanel";
import { ConversationList } from "@/components/ConversationList";
import { TaskPanel } from "@/components/TaskPanel";
import type { ChatReply } from "@/lib/types";

interface Selection {
  /** A new key mounts a fresh chat panel (a resumed conversation or a new one). */
  key: number;
  conversationId: number | null;
}

/** The signed-in page: conversations, the chat, and the task panel that follows the agent's actions. */
export function ChatWorkspace() {
  const [selection, setSelection] = useState<Selection>({ key: 0, conversationId: null });
  const [activeId, setActiveId] = useState<number | null>(null);
  const [version, setVersion] = useState(0);

  function select(conversationId: number | null) {
    setSelection((previous) => ({ key: previous.key + 1, conversationId }));
    setActiveId(conversationId);
  }

  function afterTurn(reply: ChatReply) {
    setActiveId(reply.conversation_id);
    setVersion((count) => count + 1);
  }

  return (
    <div className="workspace">
      <ConversationList activeId={activeId} version={version} onSelect={select} />
      <ChatPanel key={selection.key} conversationId={selection.conversationId} onTurnComplete={afterTurn} />
      <TaskPanel version={version} />
    </div>
  );
}
