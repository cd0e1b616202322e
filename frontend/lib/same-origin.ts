/**
 * Cross-site request forgery defence for the backend proxy, beside SameSite=Lax cookies: a call that changes
 * state must show it comes from one of our pages. Browsers send Origin on every POST, PUT, PATCH and DELETE
 * (fetch and forms alike) and Sec-Fetch-Site on every request; a call with neither is not from our pages.
 */
import { allowedOrigins } from "@/lib/config";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const CROSS_SITE_REFUSAL = "This request must come from the app's own pages: reload the page and try again.";

/** Whether a state-changing request proves it was sent by one of our own pages (`requestOrigin`: the server's). */
export function isSameOrigin(method: string, headers: Headers, requestOrigin: string): boolean {
  if (SAFE_METHODS.has(method)) return true;
  const origin = headers.get("origin");
  if (origin) return origin === requestOrigin || allowedOrigins().has(origin);
  // Some privacy settings drop Origin on same-origin requests; the browser's own fetch metadata still says so.
  return headers.get("sec-fetch-site") === "same-origin";
}
