/**
 * A drain that drops nothing when the pod stops. On SIGTERM (after the preStop pause has taken the pod out of the
 * Service's endpoints) Next's standalone server stops listening and waits for its connections to close; but a
 * client on a kept-alive connection keeps sending on it, so it would never close and the pod would be killed at
 * the grace period with requests in flight. So, from SIGTERM on:
 * - every response not yet started carries `Connection: close`, so the client opens its next request elsewhere;
 * - a connection is closed as soon as it is idle (between requests), never in the middle of one;
 * - requests still running after DRAIN_LIMIT_MS are cut, so the process exits inside the grace period.
 * It watches the HTTP server through node:diagnostics_channel, so it needs no hook into Next's server.
 */
import diagnostics from "node:diagnostics_channel";
import type { Server, ServerResponse } from "node:http";

// The chart gives 30 s (terminationGracePeriodSeconds) including the 5 s preStop pause; uvicorn gets 20 s too.
export const DRAIN_LIMIT_MS = 20_000;

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
    response.once("close", () => {
      inFlight.delete(response);
      // A streamed answer that started before SIGTERM could not say "close": end its connection once idle.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  process.once("SIGTERM", () => {
    draining = true;
    console.log(`todo-frontend: SIGTERM: draining ${inFlight.size} request(s), at most ${drainLimitMs / 1000} s`);
    inFlight.forEach(closeWhenDone);
    for (const server of servers) {
      server.close(); // no new connections (Next's own handler does the same; a second call is harmless)
      server.closeIdleConnections();
    }
    setTimeout(() => servers.forEach((server) => server.closeAllConnections()), drainLimitMs).unref();
  });
}
