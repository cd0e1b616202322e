// @vitest-environment node
import { describe, expect, it } from "vitest";

import { TokenCache, VerifiedSessions } from "@/lib/token-cache";

function jwt(sub: string, expSeconds: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "EdDSA" })}.${part({ sub, exp: expSeconds })}.signature`;
}

function cacheAt(clock: { ms: number }, maxEntries = 100) {
  return new TokenCache({ maxEntries, marginMs: 60_000, now: () => clock.ms });
}

describe("backend token cache", () => {
  it("reuses a session's token for the same user", () => {
    const clock = { ms: 0 };
    const cache = cacheAt(clock);
    cache.set("session-a", "alice", jwt("alice", 900));
    expect(cache.get("session-a", "alice")).toBe(jwt("alice", 900));
  });

  it("never gives a token to another user or another session", () => {
    const clock = { ms: 0 };
    const cache = cacheAt(clock);
    cache.set("session-a", "alice", jwt("alice", 900));
    expect(cache.get("session-a", "bob")).toBeNull();
    expect(cache.get("session-b", "alice")).toBeNull();
    expect(cache.get("session-a", "alice")).toBeNull(); // a mismatch drops the entry altogether
  });

  it("refuses to keep a token minted for someone else or without an expiry", () => {
    const cache = cacheAt({ ms: 0 });
    cache.set("session-a", "alice", jwt("bob", 900));
    cache.set("session-b", "alice", jwt("alice", Number.NaN));
    expect(cache.size).toBe(0);
  });

  it("stops reusing a token a minute before it expires", () => {
    const clock = { ms: 0 };
    const cache = cacheAt(clock);
    cache.set("session-a", "alice", jwt("alice", 900));
    clock.ms = 839_000;
    expect(cache.get("session-a", "alice")).not.toBeNull();
    clock.ms = 840_000;
    expect(cache.get("session-a", "alice")).toBeNull();
  });

  it("forgets a signed-out session at once", () => {
    const cache = cacheAt({ ms: 0 });
    cache.set("session-a", "alice", jwt("alice", 900));
    cache.set("session-b", "bob", jwt("bob", 900));
    cache.forget("session-a");
    expect(cache.get("session-a", "alice")).toBeNull();
    expect(cache.get("session-b", "bob")).not.toBeNull();
  });

  it("stays bounded, dropping the least recently used session", () => {
    const cache = cacheAt({ ms: 0 }, 2);
    cache.set("s1", "u1", jwt("u1", 900));
    cache.set("s2", "u2", jwt("u2", 900));
    cache.get("s1", "u1");
    cache.set("s3", "u3", jwt("u3", 900));
    expect(cache.size).toBe(2);
    expect(cache.get("s2", "u2")).toBeNull();
    expect(cache.get("s1", "u1")).not.toBeNull();
  });
});

describe("verified sessions", () => {
  const alice = { sessionId: "session-a", userId: "alice" };
  const farFuture = 10_000_000;

  function memoAt(clock: { ms: number }, maxEntries = 100) {
    return new VerifiedSessions({ maxEntries, ttlMs: 5_000, now: () => clock.ms });
  }

  it("knows only the exact Cookie header that was verified, for a few seconds", () => {
    const clock = { ms: 0 };
    const memo = memoAt(clock);
    memo.set("token=a.sig; data=x", alice, farFuture);
    expect(memo.get("token=a.sig; data=x")).toMatchObject(alice);
    expect(memo.get("token=a.sig; data=y")).toBeNull();
    expect(memo.get("token=a.sig")).toBeNull();
    clock.ms = 5_000;
    expect(memo.get("token=a.sig; data=x")).toBeNull();
  });

  it("never outlives the session, and forgets a deleted session's cookies at once", () => {
    const clock = { ms: 0 };
    const memo = memoAt(clock);
    memo.set("old", alice, 1_000);
    memo.set("expired", { sessionId: "session-b", userId: "bob" }, 0);
    memo.set("current", alice, farFuture);
    clock.ms = 1_000;
    expect(memo.get("old")).toBeNull();
    expect(memo.get("expired")).toBeNull();
    memo.forget("session-a");
    expect(memo.get("current")).toBeNull();
  });

  it("keeps at most maxEntries, dropping the oldest", () => {
    const memo = memoAt({ ms: 0 }, 2);
    for (const cookie of ["a", "b", "c"]) memo.set(cookie, alice, farFuture);
    expect([memo.get("a"), memo.get("b"), memo.get("c")].map(Boolean)).toEqual([false, true, true]);
  });
});
