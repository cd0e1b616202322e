/** Where to go after signing in: only a same-site path, never another origin (no open redirect). */
export function safeReturnPath(value: string | string[] | null | undefined, fallback = "/chat"): string {
  const path = Array.isArray(value) ? value[0] : value;
  if (!path || !path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return fallback;
  return path;
}

export function signInPath(returnTo: string, reason?: "expired"): string {
  const query = new URLSearchParams({ next: returnTo });
  if (reason) query.set("reason", reason);
  return `/sign-in?${query}`;
}

/** The chat page's address for a conversation (`?c=<id>`), or for a new chat. */
export function chatPath(conversationId: number | null): string {
  return conversationId === null ? "/chat" : `/chat?c=${conversationId}`;
}
