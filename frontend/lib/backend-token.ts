/**
 * The proxy's backend JWT for a request: the session is checked on every request (from Better Auth's signed
 * cookie cache, so without a database query most of the time), and the token minted for that session is
 * reused until shortly before it expires (lib/token-cache.ts) instead of being signed anew each time.
 */
import { isAPIError } from "better-auth/api";

import { confirmSignedOut, getAuth } from "@/lib/auth";
import { backendTokens } from "@/lib/token-cache";

export interface BackendToken {
  token: string;
  userId: string;
  /** Cookies the session check refreshed (the cookie cache): the proxy's answer passes them on to the browser. */
  setCookies: string[];
}

async function mint(headers: Headers): Promise<string | null> {
  try {
    return (await getAuth().api.getToken({ headers })).token;
  } catch (error) {
    if (!(isAPIError(error) && error.statusCode === 401)) throw error;
    await confirmSignedOut(headers); // a database fault looks like "no session" to Better Auth
    return null;
  }
}

/** The signed-in user's backend token, or null when the request carries no valid session. */
export async function backendToken(headers: Headers): Promise<BackendToken | null> {
  const { headers: answered, response: session } = await getAuth().api.getSession({ headers, returnHeaders: true });
  if (!session) {
    await confirmSignedOut(headers); // likewise: no session, or no answer from the session store?
    return null;
  }
  const { id: sessionId } = session.session;
  const userId = session.user.id;
  let token = backendTokens.get(sessionId, userId);
  if (!token) {
    token = await mint(headers);
    if (!token) return null;
    backendTokens.set(sessionId, userId, token);
  }
  return { token, userId, setCookies: answered.getSetCookie() };
}
