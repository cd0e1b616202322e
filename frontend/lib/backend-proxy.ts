/**
 * What the backend proxy does with a request, whichever server path carries it (lib/fast-proxy.ts in front of
 * Next's router, or the route handler app/api/backend/[...path]/route.ts): the same-origin check, the session
 * and the user's backend token, and the backend URL under that user's own prefix; and the headers of the answer.
 */
import { type BackendToken, backendToken } from "@/lib/backend-token";
import { backendUrl } from "@/lib/config";
import { CROSS_SITE_REFUSAL, isSameOrigin } from "@/lib/same-origin";

// A chat turn with a remote model can take a while; anything slower than this is reported as a timeout.
export const BACKEND_TIMEOUT_MS = 120_000;
export const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
/** The methods the proxy serves (the route handler's exports); Next answers the others. */
export const PROXIED_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

// Far above anything the app sends (a task, a chat message, a ChatKit action: a few KB): a larger body is refused
// as it arrives, before it is held in memory, so nobody can exhaust the server's memory with one request.
export const MAX_BODY_BYTES = 1_048_576;

export const PROXY_ERRORS = {
  tooLarge: { status: 413, detail: "The request is too large." },
  timeout: { status: 504, detail: "The task service did not answer in time. Please try again." },
  unavailable: { status: 502, detail: "The task service is unavailable right now. Please try again in a moment." },
} as const;

export interface ProxyRefusal {
  status: number;
  detail: string;
}

export interface ProxyCall {
  target: URL;
  /** The headers for the backend: the user's token, what the answer should be, and the body's type. */
  headers: Record<string, string>;
  /** Cookies the session check refreshed (the cookie cache): the answer passes them on to the browser. */
  setCookies: string[];
}

export interface ProxyRequest {
  method: string;
  headers: Headers;
  /** The origin the server was reached at, for the same-origin check. */
  origin: string;
  /** The path after /api/backend/, decoded segment by segment. */
  path: string[];
  search: string;
}

function backendTarget(userId: string, path: string[], search: string): URL | null {
  // "." and ".." would be collapsed by URL parsing and escape the user's own prefix.
  if (path.some((segment) => segment === "." || segment === "..")) return null;
  const segments = [userId, ...path].map(encodeURIComponent).join("/");
  return new URL(`${backendUrl()}/api/${segments}${search}`);
}

function backendHeaders(request: ProxyRequest, token: string): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: request.headers.get("accept") === "text/event-stream" ? "text/event-stream" : "application/json",
  };
  if (METHODS_WITH_BODY.has(request.method)) headers["content-type"] = "application/json";
  return headers;
}

/** The backend call for a request, or why it gets none (status and sentence for the browser). */
export async function planProxyCall(request: ProxyRequest): Promise<ProxyCall | ProxyRefusal> {
  if (!isSameOrigin(request.method, request.headers, request.origin)) return { status: 403, detail: CROSS_SITE_REFUSAL };
  let auth: BackendToken | null;
  try {
    auth = await backendToken(request.headers);
  } catch (error) {
    // e.g. the database is down, or the signing keys were encrypted with another BETTER_AUTH_SECRET.
    console.error(`todo-frontend: cannot issue a backend token: ${error instanceof Error ? error.message : error}`);
    return { status: 503, detail: "Your sign-in could not be checked right now. Please try again in a moment." };
  }
  if (!auth) return { status: 401, detail: "Your session has expired. Please sign in again." };
  const target = backendTarget(auth.userId, request.path, request.search);
  if (!target) return { status: 404, detail: "Not found." };
  return { target, headers: backendHeaders(request, auth.token), setCookies: auth.setCookies };
}

export class BodyTooLarge extends Error {
  override name = "BodyTooLarge";
}

/**
 * A request's whole body (node request or web stream alike), or BodyTooLarge as soon as the declared length or
 * the bytes received pass MAX_BODY_BYTES.
 */
export async function readBody(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, declaredLength?: string | null): Promise<Buffer> {
  if (Number(declaredLength) > MAX_BODY_BYTES) throw new BodyTooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

export function isRefusal(plan: ProxyCall | ProxyRefusal): plan is ProxyRefusal {
  return "status" in plan;
}

/** The answer's headers: the backend's content type and none of its other headers. */
export function relayHeaders(contentType: string | undefined, setCookies: string[]): [string, string][] {
  const streaming = contentType?.startsWith("text/event-stream") ?? false;
  // no-transform keeps compression from buffering a stream; X-Accel-Buffering does the same for nginx.
  const headers: [string, string][] = [["cache-control", streaming ? "no-cache, no-transform" : "no-store"]];
  if (contentType) headers.push(["content-type", contentType]);
  if (streaming) headers.push(["x-accel-buffering", "no"]);
  for (const cookie of setCookies) headers.push(["set-cookie", cookie]); // a refreshed session cookie cache
  return headers;
}
