import Link from "next/link";
import { headers } from "next/headers";
import { redirect } from "next/navigation";

import { getSessionUser } from "@/lib/auth";

export default async function HomePage() {
  if (await getSessionUser(await headers())) redirect("/chat");
  return (
    <main className="landing">
      <p className="brand brand--large">Todo Chat</p>
      <h1>Your todo list, managed by conversation.</h1>
      <p className="landing__lead">
        Tell the assistant what you need to do — “Add a task to buy groceries”, “What’s pending?”, “Mark task 3 as
        complete” — and watch your list update beside the chat.
      </p>
      <div className="landing__actions">
        <Link className="button button--primary" href="/sign-up">
          Get started
        </Link>
        <Link className="button" href="/sign-in">
          Sign in
        </Link>
      </div>
    </main>
  );
}
