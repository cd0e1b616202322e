import { headers } from "next/headers";
import { redirect } from "next/navigation";

import { AuthForm, type AuthMode } from "@/components/AuthForm";
import { getSessionUser, MIN_PASSWORD_LENGTH } from "@/lib/auth";
import { safeReturnPath } from "@/lib/return-path";

export type AuthSearchParams = Promise<{ next?: string | string[]; reason?: string | string[] }>;

/** The sign-in and sign-up pages: a signed-in visitor goes straight on to where they were heading. */
export async function AuthPage({ mode, searchParams }: { mode: AuthMode; searchParams: AuthSearchParams }) {
  const { next, reason } = await searchParams;
  const returnTo = safeReturnPath(next);
  if (await getSessionUser(await headers())) redirect(returnTo);
  return (
    <main className="auth-page">
      <p className="brand brand--large">Todo Chat</p>
      {reason === "expired" && (
        <p className="notice notice--info" role="status">
          Your session has expired. Please sign in again to continue.
        </p>
      )}
      <AuthForm mode={mode} returnTo={returnTo} minPasswordLength={MIN_PASSWORD_LENGTH} />
    </main>
  );
}
