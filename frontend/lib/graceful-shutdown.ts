/**
 * A drain that drops nothing when the pod stops. On SIGTERM (after the preStop pause has taken the pod out of the
 * Service's endpoints) Next's standalone server stops listening and waits for its connections to close; but a
 * client on a kept-alive connection keeps sending on it, so it would never close and the pod would be killed at
 * the grace period with requests in flight. So, from SIGTERM on:
 * - every response not yet started carries `Connection: close`, so the client opens its next request elsewhere;
 * - connections left idle are closed, never one in the middle of a request: after a second, and every second
 *   from then on. Not at once: a client that has just had an answer may be sending its next request on that
 *   connection right now, and would see it reset (an HTTP/1.1 race no client can tell from a lost request);
 *   within that second it sends it, and the answer's `Connection: close` ends the connection cleanly;
 * - requests still running after DRAIN_LIMIT_MS are cut, so the process exits inside the grace period.
 * It watches the HTTP server through node:diagnostics_channel, so it needs no hook into Next's server.
 */
import diagnostics from "node:diagnostics_channel";
import type { Server, ServerResponse } from "node:http";

// The chart gives 30 s (terminationGracePeriodSeconds) including the 5 s preStop pause; uvicorn gets 20 s too.
export const DRAIN_LIMIT_MS = 20_000;
const IDLE_SWEEP_MS = 1_000;

interface RequestStart {
  server: Server;
  response: ServerResponse;
}

export function installGracefulShutdown(drainLimitMs = DRAIN_LIMIT_MS): void {
  const servers = new Set<Server>();
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const closeWhenDone = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader("connection", "close");
  };

  diagnostics.subscribe("http.server.request.start", (message) => {
    const { server, response } = message as RequestStart;
    servers.add(server);
    inFlight.add(response);
    if (draining) closeWhenDone(response);
    response.once("close", () => inFlight.delete(response));
  });

  process.once("SIGTERM", () => {
    draining = true;
    console.log(`todo-frontend: SIGTERM: draining ${inFlight.size} request(s), at most ${drainLimitMs / 1000} s`);
    inFlight.forEach(closeWhenDone);
    servers.forEach((server) => server.close()); // no new connections (Next's own handler does the same)
    // Also ends the connections of streamed answers that started before SIGTERM and could not say "close".
    setInterval(() => servers.forEach((server) => server.closeIdleConnections()), IDLE_SWEEP_MS).unref();
    setTimeout(() => servers.forEach((server) => server.closeAllConnections()), drainLimitMs).unref();
  });
}
