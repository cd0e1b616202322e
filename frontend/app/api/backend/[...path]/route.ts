/**
 * The backend proxy as a Next route: it serves /api/backend/* under `next dev`, and in the standalone server any
 * request the fast path (lib/fast-proxy.ts, installed by instrumentation.ts) leaves to Next. Both share
 * lib/backend-proxy.ts, so they check and forward alike.
 */
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

import type { NextRequest } from "next/server";

import {
  BACKEND_TIMEOUT_MS,
  BodyTooLarge,
  METHODS_WITH_BODY,
  PROXY_ERRORS,
  isRefusal,
  planProxyCall,
  readBody,
  relayHeaders,
} from "@/lib/backend-proxy";
import { upstreamFetch } from "@/lib/upstream";

type RouteContext = { params: Promise<{ path: string[] }> };

function errorResponse({ status, detail }: { status: number; detail: string }): Response {
  return Response.json({ detail }, { status, headers: { "cache-control": "no-store" } });
}

/** Forwards /api/backend/<path> to ${BACKEND_URL}/api/<user id>/<path> with the user's JWT. */
async function forward(request: NextRequest, context: RouteContext): Promise<Response> {
  const plan = await planProxyCall({
    method: request.method,
    headers: request.headers,
    origin: request.nextUrl.origin,
    path: (await context.params).path,
    search: request.nextUrl.search,
  });
  if (isRefusal(plan)) return errorResponse(plan);

  // The browser leaving (Stop, a closed tab) aborts the backend call too: the backend keeps what was said so far.
  const timeout = AbortSignal.timeout(BACKEND_TIMEOUT_MS);
  try {
    const signal = AbortSignal.any([request.signal, timeout]);
    const chunks = request.body ? Readable.fromWeb(request.body as WebReadableStream<Uint8Array>) : [];
    const body = METHODS_WITH_BODY.has(request.method) ? await readBody(chunks, request.headers.get("content-length")) : undefined;
    const upstream = await upstreamFetch(plan.target, { method: request.method, headers: plan.headers, body, signal });
    const headers = new Headers(relayHeaders(upstream.headers.get("content-type") ?? undefined, plan.setCookies));
    return new Response(upstream.body, { status: upstream.status, headers });
  } catch (error) {
    if (error instanceof BodyTooLarge) return errorResponse(PROXY_ERRORS.tooLarge);
    if (timeout.aborted) return errorResponse(PROXY_ERRORS.timeout);
    if (request.signal.aborted) return new Response(null, { status: 499 });
    return errorResponse(PROXY_ERRORS.unavailable);
  }
}

export { forward as DELETE, forward as GET, forward as PATCH, forward as POST, forward as PUT };
