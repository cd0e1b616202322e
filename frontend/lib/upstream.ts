/**
 * HTTP calls from the proxy to the backend, with node:http so the choice of connection is ours.
 *
 * A pooled keep-alive connection can have been closed by the backend while it sat idle (the backend was
 * stalled, restarted, or its keep-alive timer fired just as we wrote to it): the request then fails with
 * ECONNRESET / "socket hang up" before the backend read it. So:
 * - idempotent requests (GET, PUT, DELETE) use the pool and are retried once when a reused connection failed;
 * - the others (POST, PATCH: a chat turn, a toggle) always get a fresh connection and are never retried,
 *   because a failure there may come after the backend acted.
 * Responses are streamed back as they arrive (a chat turn's text/event-stream is never buffered).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
// Shorter than uvicorn's 5 s keep-alive, so most idle connections are dropped by us before the backend drops them.
const IDLE_SOCKET_MS = 4_000;
const pool = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });

export interface UpstreamRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
}

/** The connection was reused and died before any answer: the backend never saw the request. */
function isStaleConnection(error: unknown, reused: boolean): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return reused && (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED");
}

/** Node's header object as a Fetch API Headers (repeated headers kept). */
export function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

function once(target: URL, init: UpstreamRequest, agent: http.Agent | false): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers, ...(init.body === undefined ? {} : { "content-length": `${Buffer.byteLength(init.body)}` }) };
    const request = http.request(target, { method: init.method, headers, agent, signal: init.signal });
    request.on("response", resolve);
    request.on("error", (error) => {
      (error as { reusedSocket?: boolean }).reusedSocket = request.reusedSocket;
      reject(error);
    });
    request.end(init.body);
  });
}

/** Sends one request to the backend and resolves with its answer as a node stream; rejects when it cannot be
 * reached (or `signal` aborted it). */
export async function upstreamRequest(target: URL, init: UpstreamRequest): Promise<IncomingMessage> {
  if (!IDEMPOTENT.has(init.method)) return once(target, init, false);
  try {
    return await once(target, init, pool);
  } catch (error) {
    if (!isStaleConnection(error, Boolean((error as { reusedSocket?: boolean }).reusedSocket))) throw error;
    return once(target, init, false);
  }
}

/** upstreamRequest's answer as a Fetch API Response (for the route handler). */
export async function upstreamFetch(target: URL, init: UpstreamRequest): Promise<Response> {
  const incoming = await upstreamRequest(target, init);
  const status = incoming.statusCode ?? 502;
  const body = status === 204 || status === 304 ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
  return new Response(body, { status, headers: toHeaders(incoming.headers) });
}
