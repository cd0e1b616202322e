import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";

import { ChatWorkspace } from "@/components/ChatWorkspace";
import { SignOutButton } from "@/components/SignOutButton";
import { getSessionUser } from "@/lib/auth";
import { signInPath } from "@/lib/return-path";

export const metadata: Metadata = { title: "Chat · Todo Chat" };

export default async function ChatPage() {
  const user = await getSessionUser(await headers());
  if (!user) redirect(signInPath("/chat"));
  return (
    <div className="app-shell">
      <header className="topbar">
        <span className="brand">Todo Chat</span>
        <div className="topbar__user">
          <span className="topbar__email">{user.email}</span>
          <SignOutButton />
        </div>
      </header>
      <main className="app-main">
        <h1 className="sr-only">Chat with your todo assistant</h1>
        <ChatWorkspace />
      </main>
    </div>
  );
}
