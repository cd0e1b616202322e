/**
 * The backend proxy's fast path: /api/backend/* answered in front of Next's router, on node streams.
 *
 * Every browser call to the backend goes through the proxy, and through Next's route machinery a proxied call
 * cost several milliseconds of CPU: routing, a web Request built from the node request, the backend's node
 * stream turned into a web stream and back, and gzip of every JSON answer. Here a request listener placed before
 * Next's own (instrumentation.ts installs it) answers those paths itself: it makes the same checks as the route
 * handler (lib/backend-proxy.ts: same origin, the session from Better Auth's signed cookie cache, the user's own
 * token and path prefix) and pipes the backend's answer straight through, a text/event-stream as it comes.
 * Answers are not compressed: task lists are small, and gzip cost more CPU than all the rest of the proxying.
 * Anything it does not recognise exactly (a trailing or double slash, a dot segment, a bad escape, another
 * method) goes to Next as before, where the route handler app/api/backend/[...path]/route.ts serves it.
 */
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { pipeline } from "node:stream";

import {
  BACKEND_TIMEOUT_MS,
  BodyTooLarge,
  MAX_BODY_BYTES,
  METHODS_WITH_BODY,
  PROXIED_METHODS,
  PROXY_ERRORS,
  type ProxyCall,
  type ProxyRefusal,
  isRefusal,
  planProxyCall,
  readBody,
  relayHeaders,
} from "@/lib/backend-proxy";
import { toHeaders, upstreamRequest } from "@/lib/upstream";

const PREFIX = "/api/backend/";
// Segments made of URL path characters only; anything else is left to Next's own parsing.
const PLAIN_SEGMENT = /^[\w.~!$&'()*+,;=:@%-]+$/;

export interface ProxyPath {
  /** The segments after /api/backend/, decoded (as the route's [...path] parameter). */
  path: string[];
  /** The query, "?" included, or "". */
  search: string;
}

/** The proxied path of a request target, or null when Next should see the request. */
export function proxyPath(url: string | undefined): ProxyPath | null {
  if (!url?.startsWith(PREFIX)) return null;
  const queryAt = url.indexOf("?");
  const pathname = url.slice(PREFIX.length, queryAt === -1 ? undefined : queryAt);
  const path: string[] = [];
  for (const raw of pathname.split("/")) {
    if (!PLAIN_SEGMENT.test(raw)) return null; // "" too: Next redirects a double or trailing slash
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === "." || segment === "..") return null;
    path.push(segment);
  }
  return { path, search: queryAt === -1 ? "" : url.slice(queryAt) };
}

// Next names the loopback addresses "localhost" in a request's URL (NextURL); so do we, to compare alike.
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/**
 * The origin the same-origin check compares with, made as Next makes a route's `request.nextUrl.origin`: the
 * address and port the server listens on (not the client's Host header), https when the connection or the
 * proxy in front (X-Forwarded-Proto) says so. In a deployment the public origins come from lib/config.ts.
 */
function requestOrigin(request: IncomingMessage, listening: AddressInfo): string {
  const https = Boolean((request.socket as TLSSocket).encrypted) || String(request.headers["x-forwarded-proto"] ?? "").includes("https");
  const host = LOOPBACK.test(listening.address) ? "localhost" : listening.address;
  return `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${listening.port}`;
}

function sendError(response: ServerResponse, { status, detail }: ProxyRefusal): void {
  const body = JSON.stringify({ detail });
  response.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

/** The backend's answer as ours: its status and body, piped as it comes, never its other headers. */
function relay(upstream: IncomingMessage, response: ServerResponse, setCookies: string[]): void {
  const contentType = upstream.headers["content-type"];
  response.statusCode = upstream.statusCode ?? 502;
  for (const [name, value] of relayHeaders(contentType, setCookies)) response.appendHeader(name, value);
  const streaming = contentType?.startsWith("text/event-stream") ?? false;
  const length = upstream.headers["content-length"];
  if (length !== undefined && !streaming) response.setHeader("content-length", length);
  if (streaming) response.flushHeaders(); // the browser sees the turn start before its first event
  pipeline(upstream, response, () => undefined); // a browser that left, or a backend cut off mid-answer: both closed
}

async function forward(request: IncomingMessage, response: ServerResponse, call: ProxyCall): Promise<void> {
  const method = request.method!;
  // The browser leaving (Stop, a closed tab) aborts the backend call too: the backend keeps what was said so far.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, BACKEND_TIMEOUT_MS);
  response.once("close", () => {
    clearTimeout(timer);
    if (!response.writableEnded) controller.abort(); // ended: the whole answer was relayed, nothing to stop
  });
  try {
    const body = METHODS_WITH_BODY.has(method) ? await readBody(request, request.headers["content-length"]) : undefined;
    const upstream = await upstreamRequest(call.target, { method, headers: call.headers, body, signal: controller.signal });
    relay(upstream, response, call.setCookies);
  } catch (error) {
    if (response.destroyed || (controller.signal.aborted && !timedOut)) return; // nobody left to answer
    clearTimeout(timer);
    if (error instanceof BodyTooLarge) {
      response.setHeader("connection", "close"); // the rest of the body is never read
      return sendError(response, PROXY_ERRORS.tooLarge);
    }
    sendError(response, timedOut ? PROXY_ERRORS.timeout : PROXY_ERRORS.unavailable);
  }
}

/** Answers one proxied request, from the checks to the backend's answer. */
async function serveProxy(request: IncomingMessage, response: ServerResponse, where: ProxyPath, origin: string): Promise<void> {
  const method = request.method!;
  const call = await planProxyCall({ method, headers: toHeaders(request.headers), origin, ...where });
  if (isRefusal(call)) return sendError(response, call);
  await forward(request, response, call);
}

function failed(response: ServerResponse) {
  return (error: unknown) => {
    console.error(`todo-frontend: proxy: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    if (!response.headersSent) sendError(response, { status: 500, detail: "Something went wrong. Please try again." });
    else response.destroy();
  };
}

/**
 * Why Next must not read this request's body, or null. Next's route handlers (Better Auth's sign-up and sign-in
 * among them, open to anyone) read a body whole into memory, however large: so a body declared over the limit is
 * refused on every path, and one of undeclared length (chunked; the app's pages never send one) outside the
 * proxy, which counts what it reads.
 */
function unreadableBody(request: IncomingMessage, proxied: boolean): ProxyRefusal | null {
  const declared = request.headers["content-length"];
  if (declared !== undefined) return Number(declared) > MAX_BODY_BYTES ? PROXY_ERRORS.tooLarge : null;
  if (request.headers["transfer-encoding"] === undefined || proxied) return null;
  return { status: 411, detail: "Send the request with its Content-Length." };
}

/** Puts the fast path in front of the server's own request listeners (Next's handler), which get the rest. */
export function frontServer(server: Server): void {
  const next = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const where = PROXIED_METHODS.has(request.method ?? "") ? proxyPath(request.url) : null;
    const refusal = unreadableBody(request, where !== null);
    if (refusal) {
      response.setHeader("connection", "close"); // the body is never read
      return sendError(response, refusal);
    }
    const listening = server.address(); // a string for a Unix socket: no origin to compare with, Next decides
    if (where && listening && typeof listening === "object") {
      serveProxy(request, response, where, requestOrigin(request, listening)).catch(failed(response));
    } else for (const listener of next) listener.call(server, request, response);
  });
}

/**
 * Fronts every HTTP server of the process when its first request arrives: the server announces the request on
 * this channel just before it emits "request", so even that first request takes the fast path.
 */
export function installFastProxy(): void {
  const fronted = new WeakSet<Server>();
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { server } = message as { server: Server };
    if (fronted.has(server)) return;
    fronted.add(server);
    frontServer(server);
  });
}
