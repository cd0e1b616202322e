// @vitest-environment node
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

import { Client } from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ConfigError } from "@/lib/config";
import { isUnreachable, runStartupMigrations } from "@/lib/startup";

const migrateAuthSchema = vi.fn();
vi.mock("@/lib/migrate", () => ({ migrateAuthSchema: () => migrateAuthSchema() }));

class Exit extends Error {}

let logged: string[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  logged = [];
  for (const level of ["log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((line: string) => void logged.push(line));
  }
  vi.spyOn(process, "exit").mockImplementation((code) => {
    throw new Exit(`exit ${code}`);
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** Runs the startup while letting the fake clock run: each 2 s pause passes at once. */
async function start(): Promise<unknown> {
  const outcome = runStartupMigrations().then(() => "started", (error: unknown) => error);
  await vi.runAllTimersAsync();
  return outcome;
}

const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });

describe("the frontend's start", () => {
  it("waits for a database that is not reachable yet, one log line per attempt", async () => {
    migrateAuthSchema.mockRejectedValueOnce(refused).mockRejectedValueOnce(refused).mockResolvedValue([]);

    expect(await start()).toBe("started");
    expect(logged).toEqual([
      "todo-frontend: database not reachable yet (attempt 1: connect ECONNREFUSED 10.0.0.5:5432); retrying in 2 s",
      "todo-frontend: database not reachable yet (attempt 2: connect ECONNREFUSED 10.0.0.5:5432); retrying in 2 s",
      "todo-frontend: auth tables up to date",
    ]);
  });

  it("gives up with one clear message and a non-zero exit when the database never comes", async () => {
    vi.stubEnv("DATABASE_WAIT_SECONDS", "10");
    migrateAuthSchema.mockRejectedValue(refused);

    expect(await start()).toEqual(new Exit("exit 1"));
    expect(logged.at(-1)).toBe(
      "todo-frontend: database unreachable for 10 s, giving up: connect ECONNREFUSED 10.0.0.5:5432",
    );
    expect(logged.filter((line) => line.includes("retrying"))).toHaveLength(5);
  });

  it("stops at once on a problem that waiting cannot fix", async () => {
    migrateAuthSchema.mockRejectedValue(new ConfigError("BETTER_AUTH_SECRET is not set: give it a random string"));
    expect(await start()).toEqual(new Exit("exit 1"));
    expect(logged).toEqual(["todo-frontend: BETTER_AUTH_SECRET is not set: give it a random string"]);

    logged = [];
    migrateAuthSchema.mockRejectedValue(Object.assign(new Error("password authentication failed"), { code: "28P01" }));
    expect(await start()).toEqual(new Exit("exit 1"));
    expect(logged).toEqual([
      "todo-frontend: cannot migrate the auth tables in DATABASE_URL's database: password authentication failed",
    ]);
  });
});

describe("isUnreachable", () => {
  it("recognises node-postgres's error for a port nothing listens on", async () => {
    vi.useRealTimers();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const error = await new Client({ connectionString: `postgresql://todo:todo@127.0.0.1:${port}/todo` })
      .connect()
      .catch((caught: unknown) => caught);
    expect(isUnreachable(error)).toBe(true);
  });
});
