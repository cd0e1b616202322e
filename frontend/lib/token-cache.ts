/**
 * The backend tokens the proxy has minted, reused per session until shortly before they expire.
 *
 * Minting costs a session query and an EdDSA signature; a user's page sends several requests a second. An
 * entry is keyed by the session id and holds the user id it was minted for: a lookup must name both, so a
 * token never serves another session or another user. The session itself is checked on every request first
 * (Better Auth's cookie cache, see lib/auth.ts), so a signed-out or revoked session stops getting tokens as
 * soon as that check fails; sign-out in this process also drops its entry at once. The cache is bounded:
 * past `maxEntries` the least recently used entry goes.
 */
import { decodeJwt } from "jose";

interface Entry {
  userId: string;
  token: string;
  expiresAtMs: number;
}

export interface TokenCacheOptions {
  maxEntries?: number;
  /** Stop reusing a token this long before it expires, so that it is still valid when the backend reads it. */
  marginMs?: number;
  now?: () => number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly marginMs: number;
  private readonly now: () => number;

  constructor({ maxEntries = 10_000, marginMs = 60_000, now = Date.now }: TokenCacheOptions = {}) {
    this.maxEntries = maxEntries;
    this.marginMs = marginMs;
    this.now = now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The session's token if it was minted for this user and is not about to expire; else null. */
  get(sessionId: string, userId: string): string | null {
    const entry = this.entries.get(sessionId);
    if (!entry) return null;
    if (entry.userId !== userId || entry.expiresAtMs - this.marginMs <= this.now()) {
      this.entries.delete(sessionId);
      return null;
    }
    this.entries.delete(sessionId); // re-inserted: a Map keeps insertion order, so the oldest is first
    this.entries.set(sessionId, entry);
    return entry.token;
  }

  /** Keeps a token minted for this session and user, unless it names another user or has no expiry. */
  set(sessionId: string, userId: string, token: string): void {
    const { sub, exp } = decodeJwt(token);
    if (sub !== userId || typeof exp !== "number") return;
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { userId, token, expiresAtMs: exp * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }
}

/** The process's cache: one per server process, shared by all its requests. */
export const backendTokens = new TokenCache();

/** Better Auth's hook when a session is deleted (sign-out, revocation here): its token goes at once. */
export async function forgetSessionToken(session: { id: string }): Promise<void> {
  backendTokens.forget(session.id);
}
