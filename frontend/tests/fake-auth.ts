import { randomUUID } from "node:crypto";

import type { Mock } from "vitest";

/** An unsigned JWT with the claims the proxy reads (sub, exp); the stand-in backends do not verify it. */
export function fakeJwt(sub: string, exp = 4_102_444_800): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "EdDSA" })}.${part({ sub, exp })}.signature`;
}

/** Makes the mocked Better Auth API see `userId` signed in, in a new session (so no cached token applies). */
export function signIn(api: { getSession: Mock; getToken: Mock }, userId: string, setCookies: string[] = []): string {
  const sessionId = randomUUID();
  const headers = new Headers(setCookies.map((cookie): [string, string] => ["set-cookie", cookie]));
  api.getSession.mockResolvedValue({ headers, response: { session: { id: sessionId }, user: { id: userId } } });
  api.getToken.mockResolvedValue({ token: fakeJwt(userId) });
  return sessionId;
}
