"use client";

import { useState } from "react";

import { ChatPanel } from "@/components/ChatPanel";
import { ConversationList } from "@/components/ConversationList";
import { TaskPanel } from "@/components/TaskPanel";
import { chatPath } from "@/lib/return-path";
import type { ChatReply } from "@/lib/types";

interface Selection {
  /** A new key mounts a fresh chat panel (a resumed conversation or a new one). */
  key: number;
  conversationId: number | null;
}

/** Keeps the open conversation in the address (/chat?c=3), so a reload or a bookmark resumes it. */
function showInAddress(conversationId: number | null) {
  window.history.replaceState(null, "", chatPath(conversationId));
}

/** The signed-in page: conversations, the chat, and the task panel that follows the agent's actions. */
export function ChatWorkspace({ initialConversationId }: { initialConversationId: number | null }) {
  const [selection, setSelection] = useState<Selection>({ key: 0, conversationId: initialConversationId });
  const [activeId, setActiveId] = useState(initialConversationId);
  const [version, setVersion] = useState(0);

  function select(conversationId: number | null) {
    setSelection((previous) => ({ key: previous.key + 1, conversationId }));
    setActiveId(conversationId);
    showInAddress(conversationId);
  }

  function afterTurn(reply: ChatReply) {
    setActiveId(reply.conversation_id);
    setVersion((count) => count + 1);
    showInAddress(reply.conversation_id);
  }

  return (
    <div className="workspace">
      <ConversationList activeId={activeId} version={version} onSelect={select} />
      <ChatPanel key={selection.key} conversationId={selection.conversationId} onTurnComplete={afterTurn} />
      <TaskPanel version={version} />
    </div>
  );
}
