/**
 * The proxy's backend JWT for a request: the session is checked on every request (from Better Auth's signed
 * cookie cache, so without a database query most of the time; a Cookie header it accepted a moment ago is not
 * checked again for a few seconds, see VerifiedSessions), and the token minted for that session is reused until
 * shortly before it expires (lib/token-cache.ts) instead of being signed anew each time.
 */
import { isAPIError } from "better-auth/api";

import { confirmSignedOut, getAuth } from "@/lib/auth";
import { backendTokens, verifiedSessions } from "@/lib/token-cache";

export interface BackendToken {
  token: string;
  userId: string;
  /** Cookies the session check refreshed (the cookie cache): the proxy's answer passes them on to the browser. */
  setCookies: string[];
}

/**
 * Better Auth reads a lookup that failed (the database restarting) as "no session". So "no session" for a request
 * with cookies is only believed once the database answers (confirmSignedOut throws while it does not), and after
 * the same lookup, made again now that it answers, agrees: a blip must not sign anyone out.
 */
async function confirmed<T>(lookup: () => Promise<T | null>, headers: Headers): Promise<T | null> {
  const first = await lookup();
  if (first !== null || !headers.get("cookie")) return first;
  await confirmSignedOut(headers);
  return lookup();
}

async function mint(headers: Headers): Promise<string | null> {
  try {
    return (await getAuth().api.getToken({ headers })).token;
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 401) return null;
    throw error;
  }
}

async function session(headers: Headers) {
  const answer = await getAuth().api.getSession({ headers, returnHeaders: true });
  return answer.response ? { session: answer.response, setCookies: answer.headers.getSetCookie() } : null;
}

/** The token already minted for a session this exact Cookie header proved a moment ago, if any. */
function recentlyVerified(cookie: string | null): BackendToken | null {
  const known = cookie ? verifiedSessions.get(cookie) : null;
  const token = known && backendTokens.get(known.sessionId, known.userId);
  return token ? { token, userId: known.userId, setCookies: [] } : null;
}

/** The signed-in user's backend token, or null when the request carries no valid session. */
export async function backendToken(headers: Headers): Promise<BackendToken | null> {
  const cookie = headers.get("cookie");
  const recent = recentlyVerified(cookie);
  if (recent) return recent;
  const found = await confirmed(() => session(headers), headers);
  if (!found) return null;
  const { id: sessionId, expiresAt } = found.session.session;
  const userId = found.session.user.id;
  // A check that refreshed cookies is not remembered: the browser sends the new ones next.
  if (cookie && found.setCookies.length === 0) verifiedSessions.set(cookie, { sessionId, userId }, new Date(expiresAt).getTime());
  let token = backendTokens.get(sessionId, userId);
  if (!token) {
    token = await confirmed(() => mint(headers), headers);
    if (!token) return null;
    backendTokens.set(sessionId, userId, token);
  }
  return { token, userId, setCookies: found.setCookies };
}
