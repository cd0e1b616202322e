// @vitest-environment node
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { GET } from "@/app/api/backend/[...path]/route";
import { getAuth, getSessionUser } from "@/lib/auth";
import { createPool, databaseAnswers, POOL_LIMITS } from "@/lib/db-pool";
import { migrateAuthSchema } from "@/lib/migrate";

import { DatabaseLink, serverUrl } from "./test-database";

const link = new DatabaseLink();
let cookie = "";

function proxyGet(headers: Record<string, string>) {
  const request = new NextRequest("http://localhost:3000/api/backend/tasks", { headers });
  return GET(request, { params: Promise.resolve({ path: ["tasks"] }) });
}

describe.skipIf(!serverUrl)("a signed-in user while the database is unreachable", () => {
  beforeAll(async () => {
    vi.stubEnv("DATABASE_URL", await link.open());
    vi.stubEnv("BETTER_AUTH_SECRET", randomBytes(32).toString("hex"));
    vi.stubEnv("BACKEND_URL", "http://127.0.0.1:9"); // no backend: a valid session then gets 502
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    await migrateAuthSchema();
    const body = { name: "Ada", email: "ada@example.com", password: "a long unusual passphrase" };
    await getAuth().api.signUpEmail({ body }); // starts no session (no account enumeration): sign in
    const response = await getAuth().api.signInEmail({ body, asResponse: true });
    cookie = response.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await link.drop();
  });

  it("is signed in while the database answers", async () => {
    expect((await proxyGet({ cookie })).status).toBe(502);
    expect(await getSessionUser(new Headers({ cookie }))).toMatchObject({ email: "ada@example.com" });
  });

  it("gets a 503 with a sentence to retry from the proxy, not a 401 that signs them out", async () => {
    await link.cut();
    const response = await proxyGet({ cookie });

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/try again in a moment/) });
  });

  it("gets a page that shows a temporary problem, not a redirect to sign-in", async () => {
    await expect(getSessionUser(new Headers({ cookie }))).rejects.toThrow();
  });
});

/** A server that accepts connections and never says a word, as a stalled database host does. */
describe("the database pool", () => {
  let silent: Server;
  const held: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("bounds connecting, idling and querying", () => {
    expect(POOL_LIMITS.connectionTimeoutMillis).toBeGreaterThan(0);
    expect(POOL_LIMITS.idleTimeoutMillis).toBeGreaterThan(0);
    expect(POOL_LIMITS.query_timeout).toBeGreaterThan(0);
  });

  it("gives up on a server that accepts and never answers instead of hanging", async () => {
    const { port } = silent.address() as AddressInfo;
    // The production limits with a shorter connect timeout, so the test does not wait 5 s.
    const pool = createPool(`postgresql://todo:todo@127.0.0.1:${port}/todo`, { connectionTimeoutMillis: 200 });
    try {
      expect(await databaseAnswers(pool)).toBe(false);
    } finally {
      await pool.end();
    }
  });
});
