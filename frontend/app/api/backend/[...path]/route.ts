import type { NextRequest } from "next/server";

import { type BackendToken, backendToken } from "@/lib/backend-token";
import { backendUrl } from "@/lib/config";
import { CROSS_SITE_REFUSAL, isSameOrigin } from "@/lib/same-origin";
import { upstreamFetch } from "@/lib/upstream";

// A chat turn with a remote model can take a while; anything slower than this is reported as a timeout.
const BACKEND_TIMEOUT_MS = 120_000;
const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

type RouteContext = { params: Promise<{ path: string[] }> };

function errorResponse(status: number, detail: string): Response {
  return Response.json({ detail }, { status, headers: { "cache-control": "no-store" } });
}

function backendTarget(userId: string, path: string[], search: string): URL | null {
  // "." and ".." would be collapsed by URL parsing and escape the user's own prefix.
  if (path.some((segment) => segment === "." || segment === "..")) return null;
  const segments = [userId, ...path].map(encodeURIComponent).join("/");
  return new URL(`${backendUrl()}/api/${segments}${search}`);
}

async function callBackend(request: NextRequest, target: URL, token: string, signal: AbortSignal): Promise<Response> {
  const hasBody = METHODS_WITH_BODY.has(request.method);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: request.headers.get("accept") === "text/event-stream" ? "text/event-stream" : "application/json",
  };
  if (hasBody) headers["content-type"] = "application/json";
  const body = hasBody ? await request.text() : undefined;
  return upstreamFetch(target, { method: request.method, headers, body, signal });
}

/** The backend's answer as ours: its status and body (streamed as it comes), never its other headers. */
function relay(upstream: Response, setCookies: string[]): Response {
  const contentType = upstream.headers.get("content-type");
  const streaming = contentType?.startsWith("text/event-stream") ?? false;
  // no-transform keeps Next's compression from buffering a stream; X-Accel-Buffering does the same for nginx.
  const headers = new Headers({ "cache-control": streaming ? "no-cache, no-transform" : "no-store" });
  if (contentType) headers.set("content-type", contentType);
  if (streaming) headers.set("x-accel-buffering", "no");
  for (const cookie of setCookies) headers.append("set-cookie", cookie); // a refreshed session cookie cache
  return new Response(upstream.body, { status: upstream.status, headers });
}

/** Forwards /api/backend/<path> to ${BACKEND_URL}/api/<user id>/<path> with the user's JWT. */
async function forward(request: NextRequest, context: RouteContext): Promise<Response> {
  if (!isSameOrigin(request)) return errorResponse(403, CROSS_SITE_REFUSAL);
  let auth: BackendToken | null;
  try {
    auth = await backendToken(request.headers);
  } catch (error) {
    // e.g. the database is down, or the signing keys were encrypted with another BETTER_AUTH_SECRET.
    console.error(`todo-frontend: cannot issue a backend token: ${error instanceof Error ? error.message : error}`);
    return errorResponse(503, "Your sign-in could not be checked right now. Please try again in a moment.");
  }
  if (!auth) return errorResponse(401, "Your session has expired. Please sign in again.");
  const target = backendTarget(auth.userId, (await context.params).path, request.nextUrl.search);
  if (!target) return errorResponse(404, "Not found.");

  // The browser leaving (Stop, a closed tab) aborts the backend call too: the backend keeps what was said so far.
  const timeout = AbortSignal.timeout(BACKEND_TIMEOUT_MS);
  try {
    const signal = AbortSignal.any([request.signal, timeout]);
    return relay(await callBackend(request, target, auth.token, signal), auth.setCookies);
  } catch {
    if (timeout.aborted) return errorResponse(504, "The task service did not answer in time. Please try again.");
    if (request.signal.aborted) return new Response(null, { status: 499 });
    return errorResponse(502, "The task service is unavailable right now. Please try again in a moment.");
  }
}

export { forward as DELETE, forward as GET, forward as PATCH, forward as POST, forward as PUT };
