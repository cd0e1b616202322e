/**
 * A drain that drops nothing when the pod stops. It owns SIGTERM: the image sets NEXT_MANUAL_SIG_HANDLE, so Next's
 * standalone server leaves the signal to it. Next's own handler calls `server.close()`, which in node 19+ also
 * closes every idle kept-alive connection at once; a client that has just had an answer may be sending its next
 * request on one of them right now, and sees it reset (an HTTP/1.1 race no client can tell from a lost request).
 * So, from SIGTERM on (after the preStop pause has taken the pod out of the Service's endpoints):
 * - the server stops accepting connections, but keeps the open ones;
 * - every response not yet started carries `Connection: close`, so the client opens its next request elsewhere;
 * - a kept-alive connection is closed only once it has been idle for IDLE_CLOSE_MS: a client still using it has
 *   sent its next request by then, and that answer's `Connection: close` ends the connection cleanly;
 * - requests still running after DRAIN_LIMIT_MS are cut, so the process exits inside the grace period;
 * - the process exits once every connection has closed.
 * It watches the HTTP server through node:diagnostics_channel, so it needs no hook into Next's server.
 */
import diagnostics from "node:diagnostics_channel";
import type { Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";

// The chart gives 30 s (terminationGracePeriodSeconds) including the 5 s preStop pause; uvicorn gets 20 s too.
export const DRAIN_LIMIT_MS = 20_000;
const IDLE_CLOSE_MS = 1_000;
const SWEEP_MS = 100;

interface RequestStart {
  server: Server;
  socket: Socket;
  response: ServerResponse;
}

export function installGracefulShutdown(drainLimitMs = DRAIN_LIMIT_MS): void {
  const servers = new Set<Server>();
  const inFlight = new Set<ServerResponse>();
  const idleSince = new Map<Socket, number>(); // kept-alive connections between requests, and since when
  const known = new WeakSet<Socket>();
  let draining = false;

  const closeWhenDone = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader("connection", "close");
  };

  diagnostics.subscribe("http.server.request.start", (message) => {
    const { server, socket, response } = message as RequestStart;
    servers.add(server);
    inFlight.add(response);
    idleSince.delete(socket);
    if (!known.has(socket)) {
      known.add(socket);
      socket.once("close", () => idleSince.delete(socket));
    }
    if (draining) closeWhenDone(response);
    response.once("close", () => {
      inFlight.delete(response);
      if (!socket.destroyed) idleSince.set(socket, Date.now());
    });
  });

  const closeLongIdle = () => {
    const now = Date.now();
    for (const [socket, since] of idleSince) if (now - since >= IDLE_CLOSE_MS) socket.destroy();
  };

  process.once("SIGTERM", () => {
    draining = true;
    console.log(`todo-frontend: SIGTERM: draining ${inFlight.size} request(s), at most ${drainLimitMs / 1000} s`);
    inFlight.forEach(closeWhenDone);
    let open = servers.size;
    const closed = () => --open <= 0 && process.exit(0);
    // net's close, not http's: it stops accepting without closing the idle kept-alive connections at once.
    servers.forEach((server) => NetServer.prototype.close.call(server, closed));
    if (open === 0) process.exit(0); // no request ever came, so no server is known and nothing is in flight
    setInterval(closeLongIdle, SWEEP_MS).unref();
    setTimeout(() => servers.forEach((server) => server.closeAllConnections()), drainLimitMs).unref();
  });
}
