"use client";

import { useState } from "react";

import { ChatPanel } from "@/components/ChatPanel";
import { ConnectionNotice } from "@/components/ConnectionNotice";
import { ConversationList } from "@/components/ConversationList";
import { TaskPanel } from "@/components/TaskPanel";
import { chatPath } from "@/lib/return-path";

interface Selection {
  /** A new key mounts a fresh chat panel (a resumed conversation or a new one). */
  key: number;
  conversationId: number | null;
}

/** On a narrow screen one panel shows at a time; the chat comes first. */
type View = "chat" | "conversations" | "tasks";

/** Keeps the open conversation in the address (/chat?c=3), so a reload or a bookmark resumes it. */
function showInAddress(conversationId: number | null) {
  window.history.replaceState(null, "", chatPath(conversationId));
}

function ViewSwitcher({ view, onChange }: { view: View; onChange: (view: View) => void }) {
  const tabs: { value: View; label: string; controls: string }[] = [
    { value: "chat", label: "Chat", controls: "chat-panel" },
    { value: "conversations", label: "Conversations", controls: "conversations-panel" },
    { value: "tasks", label: "Tasks", controls: "tasks-panel" },
  ];
  return (
    <nav className="view-switcher" aria-label="Panels">
      {tabs.map((tab) => (
        <button
          key={tab.value}
          type="button"
          className="view-switcher__tab"
          aria-controls={tab.controls}
          aria-pressed={view === tab.value}
          onClick={() => onChange(tab.value)}
        >
          {tab.label}
        </button>
      ))}
    </nav>
  );
}

/** The signed-in page: conversations, the chat, and the task panel that follows the agent's actions. */
export function ChatWorkspace({ initialConversationId }: { initialConversationId: number | null }) {
  const [selection, setSelection] = useState<Selection>({ key: 0, conversationId: initialConversationId });
  const [activeId, setActiveId] = useState(initialConversationId);
  const [conversationsVersion, setConversationsVersion] = useState(0);
  const [tasksVersion, setTasksVersion] = useState(0);
  const [view, setView] = useState<View>("chat");

  function select(conversationId: number | null) {
    setSelection((previous) => ({ key: previous.key + 1, conversationId }));
    setActiveId(conversationId);
    showInAddress(conversationId);
    setView("chat");
  }

  function onConversation(conversationId: number) {
    setActiveId(conversationId);
    showInAddress(conversationId);
  }

  return (
    <div className={`workspace workspace--${view}`}>
      <ViewSwitcher view={view} onChange={setView} />
      <ConnectionNotice />
      <div className="workspace__panels">
        <ConversationList
          activeId={activeId}
          version={conversationsVersion}
          onSelect={select}
          onDeleted={(id) => id === activeId && select(null)}
        />
        <ChatPanel
          key={selection.key}
          conversationId={selection.conversationId}
          focusOnOpen={selection.key > 0}
          onConversation={onConversation}
          onTasksChanged={() => setTasksVersion((count) => count + 1)}
          onTurnEnd={() => {
            setConversationsVersion((count) => count + 1);
            setTasksVersion((count) => count + 1);
          }}
        />
        <TaskPanel version={tasksVersion} />
      </div>
    </div>
  );
}
