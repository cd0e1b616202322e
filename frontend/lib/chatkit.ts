/** Where the ChatKit mode's pieces live. */

/** The backend's ChatKit endpoint through our proxy, which adds the user's JWT server-side. */
export const CHATKIT_URL = "/api/backend/chatkit";

/** ChatKit's web component; OpenAI serves it only from its CDN (the npm packages are its React bindings). */
export const CHATKIT_SCRIPT = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js";

/** The client effect the backend sends when a tool has changed the user's tasks. */
export const TASKS_CHANGED = "tasks_changed";

/**
 * ChatKit's requests go to our own origin with the session cookie, never with a token: the proxy swaps the
 * cookie for the backend JWT, so nothing in the page can read or leak it.
 */
export const sameOriginFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, credentials: "same-origin" });
