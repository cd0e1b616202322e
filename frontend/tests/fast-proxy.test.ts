// @vitest-environment node
/**
 * The proxy's fast path (lib/fast-proxy.ts) on a real HTTP server whose own listener stands for Next's handler,
 * in front of a stand-in backend: what it answers itself, what it leaves to Next, and that it checks and
 * isolates exactly as the route handler does.
 */
import { randomUUID } from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { MAX_BODY_BYTES } from "@/lib/backend-proxy";
import { frontServer, installFastProxy, proxyPath } from "@/lib/fast-proxy";
import { forgetSessionToken } from "@/lib/token-cache";

import { fakeJwt } from "./fake-auth";

const getToken = vi.fn();
const getSession = vi.fn();
vi.mock("@/lib/auth", () => ({
  getAuth: () => ({ api: { getToken, getSession } }),
  confirmSignedOut: async () => undefined,
}));

interface Received {
  method?: string;
  url?: string;
  authorization?: string;
  body: string;
}

type Handler = (request: IncomingMessage, response: ServerResponse, socketRequests: number) => void;

let backend: Server;
let handle: Handler;
let received: Received[] = [];
let closed: string[] = [];

/** The app's server: Next's handler is the listener below, the fast path goes in front of it. */
let app: Server;
let toNext: string[] = [];

const SESSIONS = new Map<string, { sessionId: string; userId: string }>();

/** A browser signed in as `userId`: its cookie names its own session, as Better Auth's signed cookie would. */
function browserOf(userId: string): string {
  const cookie = `better-auth.session_token=${randomUUID()}`;
  SESSIONS.set(cookie, { sessionId: randomUUID(), userId });
  return cookie;
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of incoming) body += chunk;
  return body;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { port } = app.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, method: init.method ?? "GET", headers: init.headers, agent: false });
    outgoing.on("response", async (incoming) => {
      resolve({ status: incoming.statusCode!, headers: incoming.headers, body: await readBody(incoming) });
    });
    outgoing.on("error", reject);
    outgoing.end(init.body);
  });
}

let appOrigin: string;
let alice: string;

beforeAll(async () => {
  backend = createServer(async (incoming, response) => {
    incoming.on("close", () => closed.push(incoming.url ?? ""));
    const count = ((incoming.socket as { requests?: number } & typeof incoming.socket).requests ?? 0) + 1;
    (incoming.socket as { requests?: number } & typeof incoming.socket).requests = count;
    handle(incoming, response, count);
  });
  process.env.BACKEND_URL = `http://${await listen(backend)}`;
  app = createServer((incoming, response) => {
    toNext.push(`${incoming.method} ${incoming.url}`);
    response.end("next");
  });
  frontServer(app);
  // Next names a route request's origin after the server's address, 127.0.0.1 as "localhost".
  appOrigin = (await listen(app)).replace("127.0.0.1", "http://localhost");
});

afterAll(async () => {
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
  await new Promise((resolve) => app.close(resolve));
});

beforeEach(() => {
  received = [];
  closed = [];
  toNext = [];
  handle = async (incoming, response) => {
    received.push({ method: incoming.method, url: incoming.url, authorization: incoming.headers.authorization, body: await readBody(incoming) });
    response.writeHead(200, { "content-type": "application/json", "x-backend-internal": "secret" });
    response.end('[{"id":1}]');
  };
  getSession.mockReset().mockImplementation(async ({ headers }: { headers: Headers }) => {
    const found = SESSIONS.get(headers.get("cookie") ?? "");
    const session = found && { id: found.sessionId, expiresAt: new Date(Date.now() + 86_400_000) };
    return { headers: new Headers(), response: found && { session, user: { id: found.userId } } };
  });
  // Better Auth mints for the session the cookie names: the token's subject is that session's user.
  getToken.mockReset().mockImplementation(async ({ headers }: { headers: Headers }) => ({
    token: fakeJwt(SESSIONS.get(headers.get("cookie") ?? "")!.userId),
  }));
  alice = browserOf("alice");
});

describe("proxyPath", () => {
  it("takes plain paths under /api/backend/ and leaves everything else to Next", () => {
    expect(proxyPath("/api/backend/tasks?status=pending")).toEqual({ path: ["tasks"], search: "?status=pending" });
    expect(proxyPath("/api/backend/conversations/3/messages")).toEqual({ path: ["conversations", "3", "messages"], search: "" });
    expect(proxyPath("/api/backend/a%2Fb")).toEqual({ path: ["a/b"], search: "" });
    for (const url of ["/api/backend", "/api/backend/", "/api/backend/tasks/", "/api/backend//tasks", "/api/backend/../x",
      "/api/backend/%2e%2e/x", "/api/backend/%zz", "/api/auth/session", "/", "http://other/api/backend/tasks"]) {
      expect(proxyPath(url), url).toBeNull();
    }
  });
});

describe("the fast path", () => {
  it("forwards to the user's own path with the user's token, and passes no backend header on", async () => {
    const answer = await send("/api/backend/tasks?status=pending", { headers: { cookie: alice, "accept-encoding": "gzip" } });

    expect(answer).toMatchObject({ status: 200, body: '[{"id":1}]' });
    expect(answer.headers).toMatchObject({ "content-type": "application/json", "cache-control": "no-store" });
    expect(answer.headers["x-backend-internal"]).toBeUndefined();
    expect(answer.headers["content-encoding"]).toBeUndefined();
    expect(received).toEqual([
      { method: "GET", url: "/api/alice/tasks?status=pending", authorization: `Bearer ${fakeJwt("alice")}`, body: "" },
    ]);
    expect(toNext).toEqual([]);
  });

  it("forwards a JSON body from the app's own page", async () => {
    const headers = { cookie: alice, origin: appOrigin, "content-type": "text/plain" };
    const answer = await send("/api/backend/tasks", { method: "POST", headers, body: '{"title":"milk"}' });

    expect(answer.status).toBe(200);
    expect(received[0]).toMatchObject({ method: "POST", url: "/api/alice/tasks", body: '{"title":"milk"}' });
  });

  it("refuses a body over the limit with 413 as it arrives, declared or not, and never calls the backend", async () => {
    const headers = { cookie: alice, origin: appOrigin, "content-type": "application/json" };
    const body = JSON.stringify({ title: "x".repeat(MAX_BODY_BYTES) });
    const declared = await send("/api/backend/tasks", { method: "POST", headers, body });
    const chunked = await send("/api/backend/tasks", { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" }, body });

    for (const answer of [declared, chunked]) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ detail: "The request is too large." });
    }
    expect(received).toEqual([]);
  });

  it("keeps oversized or unmeasured bodies from Next's routes, which read bodies whole (sign-up is open to all)", async () => {
    const headers = { origin: appOrigin, "content-type": "application/json" };
    const large = await send("/api/auth/sign-up/email", { method: "POST", headers, body: "x".repeat(MAX_BODY_BYTES + 1) });
    const chunked = await send("/api/auth/sign-up/email", { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" }, body: "{}" });
    const small = await send("/api/auth/sign-up/email", { method: "POST", headers, body: "{}" });

    expect([large.status, JSON.parse(large.body)]).toEqual([413, { detail: "The request is too large." }]);
    expect([chunked.status, JSON.parse(chunked.body)]).toEqual([411, { detail: "Send the request with its Content-Length." }]);
    expect(small.status).toBe(200);
    expect(toNext).toEqual(["POST /api/auth/sign-up/email"]);
  });

  it("refuses a state change from another site's page with 403, before any session check", async () => {
    const headers = { cookie: alice, origin: "https://evil.example" };
    const answer = await send("/api/backend/tasks", { method: "POST", headers, body: '{"title":"forged"}' });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ detail: expect.stringMatching(/must come from the app's own pages/) });
    expect(getSession).not.toHaveBeenCalled();
    expect(received).toEqual([]);
  });

  it("compares Origin with the server's own origin, as Next does, not with a Host header the client chose", async () => {
    const headers = { cookie: alice, host: "evil.example", origin: "http://evil.example" };
    const answer = await send("/api/backend/tasks", { method: "POST", headers, body: "{}" });

    expect(answer.status).toBe(403);
    expect(received).toEqual([]);
  });

  it("answers 401 to a browser without a session and never calls the backend", async () => {
    const answer = await send("/api/backend/tasks", { headers: { cookie: "better-auth.session_token=forged" } });

    expect(answer.status).toBe(401);
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(JSON.parse(answer.body)).toEqual({ detail: "Your session has expired. Please sign in again." });
    expect(received).toEqual([]);
  });

  it("mints one token per session, and checks a Cookie header in full once in a few seconds", async () => {
    const refreshed = `${alice}; better-auth.session_data=refreshed`; // the same session's new cookie cache
    SESSIONS.set(refreshed, SESSIONS.get(alice)!);
    for (const cookie of [alice, alice, refreshed]) await send("/api/backend/tasks", { headers: { cookie } });

    expect(getSession).toHaveBeenCalledTimes(2); // the third request's cookies differ: checked again
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(received).toHaveLength(3);
  });

  it("stops at once after sign-out, though the same cookie was verified a moment ago", async () => {
    await send("/api/backend/tasks", { headers: { cookie: alice } });
    const { sessionId } = SESSIONS.get(alice)!;
    SESSIONS.delete(alice);
    await forgetSessionToken({ id: sessionId }); // Better Auth's hook when the session is deleted

    expect((await send("/api/backend/tasks", { headers: { cookie: alice } })).status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it("never gives one user's token to another, however their requests interleave", async () => {
    const bob = browserOf("bob");
    const browsers = [alice, bob, alice, bob, bob, alice, alice, bob];
    await Promise.all(browsers.map((cookie) => send("/api/backend/tasks", { headers: { cookie } })));

    expect(received).toHaveLength(browsers.length);
    for (const { url, authorization } of received) {
      const user = url!.split("/")[2];
      expect(authorization).toBe(`Bearer ${fakeJwt(user)}`);
    }
    expect(new Set(received.map((call) => call.url))).toEqual(new Set(["/api/alice/tasks", "/api/bob/tasks"]));
  });

  it("retries a list once when the kept-alive backend connection died under it", async () => {
    handle = (incoming, response, count) => (count === 1 ? response.end("[]") : incoming.socket.destroy());
    expect((await send("/api/backend/tasks", { headers: { cookie: alice } })).status).toBe(200);
    expect((await send("/api/backend/tasks", { headers: { cookie: alice } })).body).toBe("[]");
  });

  it("answers 502 with a sentence when the backend is down", async () => {
    const saved = process.env.BACKEND_URL;
    const gone = createServer();
    process.env.BACKEND_URL = `http://${await listen(gone)}`;
    await new Promise((resolve) => gone.close(resolve));
    try {
      const answer = await send("/api/backend/tasks", { headers: { cookie: alice } });
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body).detail).toMatch(/^The task service is unavailable/);
    } finally {
      process.env.BACKEND_URL = saved;
    }
  });

  it("passes text/event-stream through as it is written, and aborts the backend call when the browser leaves", async () => {
    handle = (_incoming, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('event: delta\ndata: {"text":"Hel"}\n\n'); // and never ends, like a long turn
    };
    const { port } = app.address() as AddressInfo;
    const headers = { cookie: alice, origin: appOrigin, accept: "text/event-stream" };
    const outgoing = request({ host: "127.0.0.1", port, path: "/api/backend/chat/stream", method: "POST", headers, agent: false });
    outgoing.end('{"message":"hi"}');
    const incoming = await new Promise<IncomingMessage>((resolve) => outgoing.on("response", resolve));
    expect(incoming.headers).toMatchObject({ "content-type": "text/event-stream", "cache-control": "no-cache, no-transform" });
    expect(incoming.headers["x-accel-buffering"]).toBe("no");
    const first = await new Promise<Buffer>((resolve) => incoming.once("data", resolve));
    expect(first.toString()).toContain('"Hel"'); // the backend has not finished: this came through unbuffered

    outgoing.destroy(); // the browser leaves
    await vi.waitFor(() => expect(closed).toContain("/api/alice/chat/stream"));
  });

  it("aborts the backend call when the browser leaves before the backend has answered at all", async () => {
    let arrived = false;
    handle = () => {
      arrived = true; // and no answer yet, like a turn waiting for its model
    };
    const { port } = app.address() as AddressInfo;
    const outgoing = request({ host: "127.0.0.1", port, path: "/api/backend/chat", headers: { cookie: alice }, agent: false });
    outgoing.on("error", () => undefined);
    outgoing.end();
    await vi.waitFor(() => expect(arrived).toBe(true));

    outgoing.destroy();
    await vi.waitFor(() => expect(closed).toContain("/api/alice/chat"));
  });

  it("leaves other paths, methods and unusual spellings to Next", async () => {
    await send("/api/auth/get-session", { headers: { cookie: alice } });
    await send("/api/backend/tasks/", { headers: { cookie: alice } });
    await send("/api/backend/tasks", { method: "HEAD", headers: { cookie: alice } });
    expect(toNext).toEqual(["GET /api/auth/get-session", "GET /api/backend/tasks/", "HEAD /api/backend/tasks"]);
    expect(received).toEqual([]);
  });

  it("keeps headers set by the server's other request hooks (the shutdown drain's Connection: close)", async () => {
    const closeAll = (message: unknown) => (message as { response: ServerResponse }).response.setHeader("connection", "close");
    diagnostics.subscribe("http.server.request.start", closeAll);
    try {
      const answer = await send("/api/backend/tasks", { headers: { cookie: alice } });
      expect(answer.headers.connection).toBe("close");
    } finally {
      diagnostics.unsubscribe("http.server.request.start", closeAll);
    }
  });
});

describe("installFastProxy", () => {
  it("fronts a server from its very first request", async () => {
    installFastProxy();
    const server = createServer((_incoming, response) => response.end("next"));
    const address = await listen(server);
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<Answer>((resolve, reject) => {
        const outgoing = request({ host: "127.0.0.1", port, path: "/api/backend/tasks", headers: { cookie: alice }, agent: false });
        outgoing.on("response", async (incoming) => resolve({ status: incoming.statusCode!, headers: incoming.headers, body: await readBody(incoming) }));
        outgoing.on("error", reject);
        outgoing.end();
      });
      expect(address).toBeTruthy();
      expect(answer.body).toBe('[{"id":1}]');
      expect(received[0]?.url).toBe("/api/alice/tasks");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
