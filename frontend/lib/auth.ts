import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";
import type { Pool } from "pg";

import { AUTH_HARDENING } from "@/lib/auth-hardening";
import { readAuthConfig } from "@/lib/config";
import { createPool, databaseAnswers } from "@/lib/db-pool";
import { forgetSessionToken } from "@/lib/token-cache";

export { MIN_PASSWORD_LENGTH } from "@/lib/password-policy";
// Sessions are checked from a signed cookie for this long before the database is asked again: how late a
// session revoked elsewhere stops working. Signing out in the browser clears the cookie, and takes effect at once.
export const SESSION_COOKIE_CACHE_S = 60;

let pool: Pool | undefined;

function createAuth() {
  const config = readAuthConfig();
  pool = createPool(config.databaseUrl);
  return betterAuth({
    database: pool,
    baseURL: config.baseURL,
    secret: config.secret,
    trustedOrigins: config.trustedOrigins,
    ...AUTH_HARDENING,
    session: { cookieCache: { enabled: true, maxAge: SESSION_COOKIE_CACHE_S } },
    databaseHooks: { session: { delete: { after: forgetSessionToken } } },
    // Default tokens: EdDSA keys published at /api/auth/jwks, sub = user id, iss = aud = baseURL, 15 min expiry.
    // Tokens come from /api/auth/token (or getToken in the proxy); no JWT is signed on every session lookup.
    plugins: [jwt({ disableSettingJwtHeader: true })],
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;

let instance: Auth | undefined;

/** The Better Auth server, created on first use so that `next build` needs no secrets or database. */
export function getAuth(): Auth {
  instance ??= createAuth();
  return instance;
}

/** Thrown when "no session" may only mean that the session store could not be asked. */
export class SessionStoreUnavailable extends Error {
  override name = "SessionStoreUnavailable";
}

/**
 * Better Auth reports a session lookup that failed (database unreachable) as "no session". Before a request
 * that carries cookies is treated as signed out, the database must answer: otherwise it is a temporary fault.
 */
export async function confirmSignedOut(headers: Headers): Promise<void> {
  if (!headers.get("cookie") || !pool) return;
  if (!(await databaseAnswers(pool))) throw new SessionStoreUnavailable("the session store is unreachable");
}

/** Whether the database behind sessions and accounts answers a query now (creates the auth server on first use). */
export async function sessionStoreAnswers(): Promise<boolean> {
  getAuth();
  return pool !== undefined && databaseAnswers(pool);
}

/** The signed-in user for a request's headers, or null; throws SessionStoreUnavailable on a database fault. */
export async function getSessionUser(headers: Headers) {
  const session = await getAuth().api.getSession({ headers });
  if (!session) await confirmSignedOut(headers);
  return session?.user ?? null;
}
