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

/** Puts `value` last (most recent) in an insertion-ordered Map, then drops the oldest entries past `maxEntries`. */
function putBounded<K, V>(entries: Map<K, V>, key: K, value: V, maxEntries: number): void {
  entries.delete(key); // re-inserted: a Map keeps insertion order, so the oldest is first
  entries.set(key, value);
  while (entries.size > maxEntries) entries.delete(entries.keys().next().value as K);
}

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
    putBounded(this.entries, sessionId, entry, this.maxEntries);
    return entry.token;
  }

  /** Keeps a token minted for this session and user, unless it names another user or has no expiry. */
  set(sessionId: string, userId: string, token: string): void {
    const { sub, exp } = decodeJwt(token);
    if (sub !== userId || typeof exp !== "number") return;
    putBounded(this.entries, sessionId, { userId, token, expiresAtMs: exp * 1000 }, this.maxEntries);
  }

  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }
}

/** The process's cache: one per server process, shared by all its requests. */
export const backendTokens = new TokenCache();

export interface VerifiedSession {
  sessionId: string;
  userId: string;
}

interface Verified extends VerifiedSession {
  untilMs: number;
}

export interface VerifiedSessionsOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

/**
 * Sessions Better Auth has just verified, by the exact Cookie header that proved them, for a few seconds.
 *
 * Checking the signed cookie cache is most of a proxied request's CPU (two HMACs through WebCrypto and Better
 * Auth's endpoint machinery), and a page sends its requests in bursts with the same cookies. A Cookie header
 * that is byte for byte one Better Auth accepted within `ttlMs` names the same session: nothing unsigned is ever
 * believed, any other cookie (another user's, a refreshed one, a forged one) misses and is checked in full. An
 * entry lasts `ttlMs` and never past the session's own expiry; a session deleted here (sign-out) loses its
 * entries at once. So a session revoked on another replica stops working at most `ttlMs` later than the cookie
 * cache alone allows (SESSION_COOKIE_CACHE_S in lib/auth.ts).
 */
export class VerifiedSessions {
  private readonly entries = new Map<string, Verified>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor({ maxEntries = 5_000, ttlMs = 5_000, now = Date.now }: VerifiedSessionsOptions = {}) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get(cookie: string): VerifiedSession | null {
    const entry = this.entries.get(cookie);
    if (!entry) return null;
    if (entry.untilMs > this.now()) return entry;
    this.entries.delete(cookie);
    return null;
  }

  set(cookie: string, session: VerifiedSession, sessionExpiresAtMs: number): void {
    const untilMs = Math.min(this.now() + this.ttlMs, sessionExpiresAtMs);
    if (!cookie || !(untilMs > this.now())) return;
    putBounded(this.entries, cookie, { ...session, untilMs }, this.maxEntries);
  }

  forget(sessionId: string): void {
    for (const [cookie, entry] of this.entries) if (entry.sessionId === sessionId) this.entries.delete(cookie);
  }
}

/** The process's verified sessions, beside its tokens. */
export const verifiedSessions = new VerifiedSessions();

/** Better Auth's hook when a session is deleted (sign-out, revocation here): its token and memo go at once. */
export async function forgetSessionToken(session: { id: string }): Promise<void> {
  backendTokens.forget(session.id);
  verifiedSessions.forget(session.id);
}
