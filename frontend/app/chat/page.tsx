import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import Script from "next/script";

import { ChatKitWorkspace } from "@/components/ChatKitWorkspace";
import { ChatWorkspace } from "@/components/ChatWorkspace";
import { SignOutButton } from "@/components/SignOutButton";
import { getSessionUser } from "@/lib/auth";
import { CHATKIT_SCRIPT } from "@/lib/chatkit";
import { type ChatUi, readChatUi } from "@/lib/config";
import { chatPath, signInPath } from "@/lib/return-path";

export const metadata: Metadata = { title: "Chat · Todo Chat" };

/** `?c=<id>` resumes a conversation; anything that is not a positive id starts a new one. */
function conversationFrom(value: string | string[] | undefined): number | null {
  const id = Number(Array.isArray(value) ? value[0] : value);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The chat itself: the project's own UI, or ChatKit's web component when CHAT_UI=chatkit (docs/frontend.md). */
function Chat({ ui, conversationId }: { ui: ChatUi; conversationId: number | null }) {
  if (ui.mode === "default") return <ChatWorkspace initialConversationId={conversationId} />;
  return (
    <>
      <Script src={CHATKIT_SCRIPT} strategy="afterInteractive" />
      <ChatKitWorkspace domainKey={ui.domainKey} />
    </>
  );
}

export default async function ChatPage({ searchParams }: { searchParams: Promise<{ c?: string | string[] }> }) {
  const conversationId = conversationFrom((await searchParams).c);
  const user = await getSessionUser(await headers());
  if (!user) redirect(signInPath(chatPath(conversationId)));
  return (
    <div className="app-shell">
      <a href="#chat-input" className="skip-link">
        Skip to the message box
      </a>
      <header className="topbar">
        <span className="brand">Todo Chat</span>
        <div className="topbar__user">
          <span className="topbar__email" title={user.email}>
            {user.email}
          </span>
          <SignOutButton />
        </div>
      </header>
      <main className="app-main">
        <h1 className="sr-only">Chat with your todo assistant</h1>
        <Chat ui={readChatUi()} conversationId={conversationId} />
      </main>
    </div>
  );
}
