// @vitest-environment node
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Agent, get } from "node:http";
import { connect } from "node:net";
import { createInterface } from "node:readline";

import { afterEach, describe, expect, it } from "vitest";

interface Answer {
  status?: number;
  connection?: string;
  body: string;
}

let child: ChildProcess | undefined;

afterEach(() => child?.kill("SIGKILL"));

/** Starts tests/fixtures/drain-server.ts; `seen` resolves once the server has printed a line starting so. */
async function startServer(drainLimitMs = 20_000) {
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: () => void }[] = [];
  child = spawn(process.execPath, ["--import", "tsx", "tests/fixtures/drain-server.ts"], {
    env: { ...process.env, DRAIN_LIMIT_MS: String(drainLimitMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters.filter(({ prefix }) => line.startsWith(prefix))) waiter.resolve();
  });
  const seen = (prefix: string) =>
    lines.some((line) => line.startsWith(prefix))
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ prefix, resolve }));
  await seen("listening ");
  const port = Number(lines.find((line) => line.startsWith("listening "))!.split(" ")[1]);
  const exited = once(child, "exit");
  return { port, seen, exited };
}

function request(port: number, path: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path, agent }, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, connection: response.headers.connection, body }));
    }).on("error", reject);
  });
}

describe("SIGTERM", () => {
  it("finishes in-flight requests and tells kept-alive clients to reconnect, then exits", async () => {
    const { port, seen, exited } = await startServer();
    const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await request(port, "/first", keptAlive)).toMatchObject({ status: 200, connection: "keep-alive" });

    const slow = request(port, "/slow?ms=4000");
    await seen("started /slow");
    const onKeptConnection = request(port, "/again?ms=3000", keptAlive); // reuses the kept-alive connection
    await seen("started /again");
    child!.kill("SIGTERM");
    await seen("todo-frontend: SIGTERM");

    expect(await slow).toEqual({ status: 200, connection: "close", body: "done /slow?ms=4000" });
    // Meanwhile a new connection is refused (never sent, so safe to retry elsewhere), not reset after being sent.
    await expect(request(port, "/late")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(await onKeptConnection).toEqual({ status: 200, connection: "close", body: "done /again?ms=3000" });
    expect(await exited).toEqual([0, null]);
    keptAlive.destroy();
  }, 20_000);

  it("answers a request sent on an idle kept-alive connection right after SIGTERM, rather than resetting it", async () => {
    const { port, seen, exited } = await startServer();
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
    socket.on("error", () => undefined); // a reset shows as the missing answer below
    const closed = once(socket, "close");
    const get = (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: drain\r\n\r\n`);
    get("/first");
    await seen("started /first");
    await expect.poll(() => received).toContain("done /first");

    child!.kill("SIGTERM"); // the connection is idle now: its client may be sending the next request this instant
    await seen("todo-frontend: SIGTERM");
    get("/next");
    await closed;
    expect(received).toMatch(/done \/first[\s\S]*HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n[\s\S]*done \/next$/i);
    expect(await exited).toEqual([0, null]);
  }, 20_000);

  it("cuts a request that outlasts the drain limit, so the pod exits inside its grace period", async () => {
    const { port, seen, exited } = await startServer(300);
    const hanging = request(port, "/hang?ms=-1");
    await seen("started /hang");
    child!.kill("SIGTERM");

    await expect(hanging).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(await exited).toEqual([0, null]);
  }, 20_000);
});
