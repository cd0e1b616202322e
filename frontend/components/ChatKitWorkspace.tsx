"use client";

import { ChatKit, useChatKit } from "@openai/chatkit-react";
import { useState } from "react";

import { ConnectionNotice } from "@/components/ConnectionNotice";
import { TaskPanel } from "@/components/TaskPanel";
import { CHATKIT_URL, TASKS_CHANGED, sameOriginFetch } from "@/lib/chatkit";

/**
 * The chat page in ChatKit mode: OpenAI's ChatKit web component (with its own thread history) talking to our
 * backend through the proxy, beside the task panel, which refreshes when a tool changed the tasks and when a
 * reply ends.
 */
export function ChatKitWorkspace({ domainKey }: { domainKey: string }) {
  const [tasksVersion, setTasksVersion] = useState(0);
  const refreshTasks = () => setTasksVersion((count) => count + 1);
  const { control } = useChatKit({
    api: { url: CHATKIT_URL, domainKey, fetch: sameOriginFetch },
    history: { enabled: true },
    startScreen: { greeting: "What should we add to your list?" },
    composer: { placeholder: "Ask about your tasks", attachments: { enabled: false } },
    onEffect: ({ name }) => {
      if (name === TASKS_CHANGED) refreshTasks();
    },
    onResponseEnd: refreshTasks,
  });
  return (
    <div className="workspace workspace--chatkit">
      <ConnectionNotice />
      <div className="workspace__panels workspace__panels--chatkit">
        <section className="panel chat chatkit" id="chat-panel" aria-label="Chat">
          <ChatKit control={control} className="chatkit__frame" />
        </section>
        <TaskPanel version={tasksVersion} />
      </div>
    </div>
  );
}
