import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

type Reply = Response | ((init?: RequestInit) => Response) | Error;
type Routes = Record<string, Reply | Reply[]>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * Scripts the global fetch (a mock installed by setup.ts) as a server keyed by "METHOD /path?query".
 * A list of replies is consumed in order (the last one repeats); an Error rejects like a network failure.
 */
export function fakeFetch(routes: Routes): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  vi.mocked(fetch).mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost:3000");
    const method = init?.method ?? "GET";
    const path = `${url.pathname}${url.search}`;
    requests.push({ method, path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const replies = routes[`${method} ${path}`];
    if (replies === undefined) throw new Error(`unexpected request ${method} ${path}`);
    const reply = Array.isArray(replies) ? (replies.length > 1 ? replies.shift()! : replies[0]) : replies;
    if (reply instanceof Error) throw reply;
    return typeof reply === "function" ? reply(init) : reply.clone();
  });
  return requests;
}

/** One SSE message as the backend writes it. */
export function sseMessage(event: string, data: object): string {
  return `event: ${event}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`;
}

/** A whole text/event-stream answer. */
export function sse(events: [string, object][]): Response {
  return new Response(events.map(([event, data]) => sseMessage(event, data)).join(""), {
    headers: { "content-type": "text/event-stream" },
  });
}

/**
 * A stream the test writes to as it goes (`push`, `end`); aborting the request errors it, as fetch does.
 * Use `reply` as the route's reply.
 */
export function liveStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    reply: (init?: RequestInit) => {
      init?.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
    push: (event: string, data: object) => controller.enqueue(encoder.encode(sseMessage(event, data))),
    end: () => controller.close(),
  };
}

export const router = { replace: vi.fn(), push: vi.fn(), refresh: vi.fn() };

/** next/navigation for client components rendered outside Next. */
export const navigationMock = { useRouter: () => router };
