// @vitest-environment node
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { APIError } from "better-auth/api";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { DELETE, GET, POST } from "@/app/api/backend/[...path]/route";
import { MAX_BODY_BYTES } from "@/lib/backend-proxy";
import { forgetSessionToken } from "@/lib/token-cache";

import { fakeJwt, signIn } from "./fake-auth";

const getToken = vi.fn();
const getSession = vi.fn();
const confirmSignedOut = vi.fn();
vi.mock("@/lib/auth", () => ({
  getAuth: () => ({ api: { getToken, getSession } }),
  confirmSignedOut: () => confirmSignedOut(),
}));


interface Received {
  method?: string;
  url?: string;
  authorization?: string;
  body: string;
}

/** A stand-in backend on 127.0.0.1 that records each request and answers with the scripted status and body. */
let backend: Server;
let received: Received[] = [];
let answer = { status: 200, body: "[]" as string | null };

async function readBody(request: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of request) body += chunk;
  return body;
}

beforeAll(async () => {
  vi.unstubAllGlobals(); // the route talks to the stand-in backend with the real fetch
  backend = createServer(async (request, response) => {
    received.push({ method: request.method, url: request.url, authorization: request.headers.authorization, body: await readBody(request) });
    response.writeHead(answer.status, answer.body === null ? {} : { "content-type": "application/json" });
    response.end(answer.body ?? undefined);
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  process.env.BACKEND_URL = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise((resolve) => backend.close(resolve)));

beforeEach(() => {
  received = [];
  answer = { status: 200, body: "[]" };
  signIn({ getSession, getToken }, "user-1");
});

function call(
  handler: typeof GET,
  path: string[],
  url: string,
  init?: { method: string; body?: string; headers?: Record<string, string> },
) {
  // The app's own pages send their origin with every state change (tests of other origins override it).
  const headers = init && init.method !== "GET" ? { origin: "http://localhost:3000", ...init.headers } : init?.headers;
  const request = new NextRequest(`http://localhost:3000/api/backend/${url}`, init && { ...init, headers });
  return handler(request, { params: Promise.resolve({ path }) });
}

describe("/api/backend proxy", () => {
  it("forwards method, user path, query and the user's JWT", async () => {
    answer = { status: 200, body: '[{"id":1}]' };
    const response = await call(GET, ["tasks"], "tasks?status=pending");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ id: 1 }]);
    expect(received).toEqual([
      { method: "GET", url: "/api/user-1/tasks?status=pending", authorization: `Bearer ${fakeJwt("user-1")}`, body: "" },
    ]);
  });

  it("forwards JSON bodies and passes validation errors through", async () => {
    answer = { status: 422, body: '{"detail":[{"loc":["body","message"],"msg":"Field required"}]}' };
    const response = await call(POST, ["chat"], "chat", { method: "POST", body: '{"conversation_id": 3}' });

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail: [{ loc: ["body", "message"], msg: "Field required" }] });
    expect(received[0]).toMatchObject({ method: "POST", url: "/api/user-1/chat", body: '{"conversation_id": 3}' });
  });

  it("refuses a body over the limit with 413 and never calls the backend", async () => {
    const body = JSON.stringify({ message: "x".repeat(MAX_BODY_BYTES) });
    const response = await call(POST, ["chat"], "chat", { method: "POST", body });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: "The request is too large." });
    expect(received).toEqual([]);
  });

  it("mints one token per session and reuses it until sign-out", async () => {
    const session = signIn({ getSession, getToken }, "user-1");
    await call(GET, ["tasks"], "tasks");
    await call(GET, ["tasks"], "tasks");
    expect(getToken).toHaveBeenCalledTimes(1);

    await forgetSessionToken({ id: session }); // Better Auth's hook when the session is deleted
    await call(GET, ["tasks"], "tasks");
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(received.map((request) => request.authorization)).toEqual(Array(3).fill(`Bearer ${fakeJwt("user-1")}`));
  });

  it("never forwards one user's token for another", async () => {
    signIn({ getSession, getToken }, "user-1");
    await call(GET, ["tasks"], "tasks");
    signIn({ getSession, getToken }, "user-2");
    await call(GET, ["tasks"], "tasks");
    expect(received.map((request) => [request.url, request.authorization])).toEqual([
      ["/api/user-1/tasks", `Bearer ${fakeJwt("user-1")}`],
      ["/api/user-2/tasks", `Bearer ${fakeJwt("user-2")}`],
    ]);
  });

  it("stops at once when the session check fails, even with a cached token", async () => {
    await call(GET, ["tasks"], "tasks");
    getSession.mockResolvedValue({ headers: new Headers(), response: null }); // signed out, or revoked
    expect((await call(GET, ["tasks"], "tasks")).status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it("passes a refreshed session cookie on to the browser", async () => {
    signIn({ getSession, getToken }, "user-1", ["better-auth.session_data=fresh; Path=/; HttpOnly"]);
    const response = await call(GET, ["tasks"], "tasks");
    expect(response.headers.getSetCookie()).toEqual(["better-auth.session_data=fresh; Path=/; HttpOnly"]);
  });

  it("passes an empty 204 through", async () => {
    answer = { status: 204, body: null };
    const response = await call(DELETE, ["tasks", "4"], "tasks/4", { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(received[0]).toMatchObject({ method: "DELETE", url: "/api/user-1/tasks/4" });
  });

  it("answers 401 without a session and never calls the backend", async () => {
    getSession.mockResolvedValue({ headers: new Headers(), response: null });
    const response = await call(GET, ["tasks"], "tasks");

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Your session has expired. Please sign in again." });
    expect(received).toHaveLength(0);
  });

  it("answers 401 when the session ended before its token was minted", async () => {
    getToken.mockRejectedValue(new APIError("UNAUTHORIZED"));
    expect((await call(GET, ["tasks"], "tasks")).status).toBe(401);
    expect(received).toHaveLength(0);
  });

  it("keeps a user signed in whose session lookup failed while the database restarted", async () => {
    // Better Auth reads the failed lookup as "no session"; by the time the proxy asks, the database answers again.
    const restored = await getSession();
    getSession.mockResolvedValueOnce({ headers: new Headers(), response: null });
    getSession.mockResolvedValueOnce(restored);
    const response = await call(GET, ["tasks"], "tasks", { method: "GET", headers: { cookie: "session=1" } });

    expect(response.status).toBe(200);
    expect(confirmSignedOut).toHaveBeenCalled();
    expect(received).toHaveLength(1);
  });

  it("answers 503 while the database does not answer, whatever Better Auth made of the lookup", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    getSession.mockResolvedValue({ headers: new Headers(), response: null });
    confirmSignedOut.mockRejectedValueOnce(new Error("the session store is unreachable"));
    const response = await call(GET, ["tasks"], "tasks", { method: "GET", headers: { cookie: "session=1" } });

    expect(response.status).toBe(503);
    expect(received).toHaveLength(0);
  });

  it("answers 503, not 500, when the session cannot be checked", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    getSession.mockRejectedValue(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    const response = await call(GET, ["tasks"], "tasks");

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/could not be checked/) });
    expect(console.error).toHaveBeenCalledWith(expect.stringContaining("ECONNREFUSED"));
    expect(received).toHaveLength(0);
  });

  it("refuses state changes sent from another site's page", async () => {
    const response = await call(POST, ["chat"], "chat", {
      method: "POST",
      body: '{"message": "Delete all my tasks"}',
      headers: { origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect(received).toHaveLength(0);
  });

  it("refuses a state change that names no origin, such as a cross-site text/plain form post", async () => {
    const request = new NextRequest("http://localhost:3000/api/backend/tasks", {
      method: "POST",
      body: '{"title": "forged"}',
      headers: { "content-type": "text/plain" },
    });
    const response = await POST(request, { params: Promise.resolve({ path: ["tasks"] }) });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/must come from the app's own pages/) });
    expect(received).toHaveLength(0);
  });

  it("accepts a state change without Origin when the browser says it is same-origin", async () => {
    const headers = { "sec-fetch-site": "same-origin" };
    const request = new NextRequest("http://localhost:3000/api/backend/tasks/4", { method: "DELETE", headers });
    const response = await DELETE(request, { params: Promise.resolve({ path: ["tasks", "4"] }) });

    expect(response.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it("refuses a state change the browser marks as cross-site", async () => {
    const headers = { "sec-fetch-site": "cross-site" };
    const request = new NextRequest("http://localhost:3000/api/backend/tasks/4", { method: "DELETE", headers });
    const response = await DELETE(request, { params: Promise.resolve({ path: ["tasks", "4"] }) });

    expect(response.status).toBe(403);
    expect(received).toHaveLength(0);
  });

  it("accepts state changes from the app's public origin", async () => {
    vi.stubEnv("BETTER_AUTH_URL", "https://todo.example.com");
    const response = await call(POST, ["chat"], "chat", {
      method: "POST",
      body: '{"message": "hi"}',
      headers: { origin: "https://todo.example.com" },
    });
    vi.unstubAllEnvs();
    expect(response.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it("refuses dot segments that would leave the user's own prefix", async () => {
    const response = await call(GET, ["..", "other-user", "tasks"], "x");
    expect(response.status).toBe(404);
    expect(received).toHaveLength(0);
  });

  it("answers 502 with a clear message when the backend is unreachable", async () => {
    const unusedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    process.env.BACKEND_URL = `http://127.0.0.1:${unusedPort}`;
    try {
      const response = await call(GET, ["tasks"], "tasks");
      expect(response.status).toBe(502);
      expect((await response.json()).detail).toMatch(/^The task service is unavailable/);
    } finally {
      process.env.BACKEND_URL = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    }
  });
});
