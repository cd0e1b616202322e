// @vitest-environment node
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { GET, POST } from "@/app/api/backend/[...path]/route";
import { upstreamFetch } from "@/lib/upstream";

const getToken = vi.fn();
vi.mock("@/lib/auth", () => ({ getAuth: () => ({ api: { getToken } }), confirmSignedOut: async () => undefined }));
const PAGE = { origin: "http://localhost:3000" }; // the app's own page sends its origin with a state change

const JWT = `${Buffer.from('{"alg":"EdDSA"}').toString("base64url")}.${Buffer.from('{"sub":"u1"}').toString("base64url")}.s`;

type Handler = (request: IncomingMessage, response: ServerResponse, socketRequests: number) => void;

/** A stand-in backend; `handle` is swapped per test, and each request learns how many its socket has carried. */
let backend: Server;
let handle: Handler;
let sockets: Socket[] = [];
let closed: string[] = [];

beforeAll(async () => {
  vi.unstubAllGlobals();
  const counts = new WeakMap<Socket, number>();
  backend = createServer((request, response) => {
    const count = (counts.get(request.socket) ?? 0) + 1;
    counts.set(request.socket, count);
    request.on("close", () => closed.push(request.url ?? ""));
    handle(request, response, count);
  });
  backend.on("connection", (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  process.env.BACKEND_URL = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});

afterAll(() => {
  backend.closeAllConnections();
  return new Promise((resolve) => backend.close(resolve));
});

beforeEach(() => {
  sockets = [];
  closed = [];
  getToken.mockResolvedValue({ token: JWT });
});

function url(path: string): URL {
  return new URL(`${process.env.BACKEND_URL}${path}`);
}

describe("upstreamFetch", () => {
  it("retries an idempotent request once when the reused connection was closed under it", async () => {
    // The first request on each connection succeeds; the next one on it dies unanswered, like a stale keep-alive.
    handle = (request, response, count) => (count === 1 ? response.end("ok") : request.socket.destroy());
    const signal = new AbortController().signal;
    expect(await (await upstreamFetch(url("/a"), { method: "GET", headers: {}, signal })).text()).toBe("ok");
    const second = await upstreamFetch(url("/b"), { method: "GET", headers: {}, signal });
    expect(await second.text()).toBe("ok");
    expect(sockets).toHaveLength(2);
  });

  it("sends every POST on a fresh connection and never repeats it", async () => {
    let posts = 0;
    handle = (request, response) => {
      posts += 1;
      if (posts === 2) request.socket.destroy();
      else response.end("{}");
    };
    const init = { method: "POST", headers: {}, body: "{}", signal: new AbortController().signal };
    await (await upstreamFetch(url("/chat"), init)).text();
    await expect(upstreamFetch(url("/chat"), init)).rejects.toThrow();
    expect(posts).toBe(2);
    expect(sockets).toHaveLength(2);
  });
});

describe("the proxy with a streaming backend", () => {
  it("passes text/event-stream through as it is written, not when it ends", async () => {
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('event: delta\ndata: {"text":"Hel"}\n\n');
      setTimeout(() => response.end('event: done\ndata: {}\n\n'), 400);
    };
    const request = new NextRequest("http://localhost:3000/api/backend/chat/stream", {
      method: "POST",
      body: '{"message":"hi"}',
      headers: { accept: "text/event-stream", ...PAGE },
    });
    const response = await POST(request, { params: Promise.resolve({ path: ["chat", "stream"] }) });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toContain("no-transform");
    const reader = response.body!.getReader();
    const started = Date.now();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"Hel"');
    expect(Date.now() - started).toBeLessThan(300);
    await reader.cancel();
  });

  it("aborts the backend call when the browser goes away", async () => {
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("event: delta\ndata: {}\n\n");
    };
    const browser = new AbortController();
    const request = new NextRequest("http://localhost:3000/api/backend/chat/stream", {
      method: "POST",
      body: '{"message":"hi"}',
      headers: PAGE,
      signal: browser.signal,
    });
    const response = await POST(request, { params: Promise.resolve({ path: ["chat", "stream"] }) });
    await response.body!.getReader().read();
    browser.abort();
    await vi.waitFor(() => expect(closed).toContain("/api/u1/chat/stream"));
  });

  it("answers a GET whose pooled connection the backend had dropped (a stalled or restarted backend)", async () => {
    handle = (request, response, count) => (count === 1 ? response.end("[]") : request.socket.destroy());
    const get = () => GET(new NextRequest("http://localhost:3000/api/backend/tasks"), { params: Promise.resolve({ path: ["tasks"] }) });
    expect((await get()).status).toBe(200);
    const second = await get();
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual([]);
  });

  it("answers 502 when the backend drops a request on a fresh connection", async () => {
    handle = (request) => request.socket.destroy();
    const request = new NextRequest("http://localhost:3000/api/backend/tasks");
    const response = await GET(request, { params: Promise.resolve({ path: ["tasks"] }) });
    expect(response.status).toBe(502);
  });
});
