// @vitest-environment node
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { GET as health } from "@/app/api/health/route";
import { GET as ready } from "@/app/api/ready/route";

import { DatabaseLink, serverUrl } from "./test-database";

const link = new DatabaseLink();

describe.skipIf(!serverUrl)("readiness follows the database, liveness does not", () => {
  beforeAll(async () => {
    vi.stubEnv("DATABASE_URL", await link.open());
    vi.stubEnv("BETTER_AUTH_SECRET", randomBytes(32).toString("hex"));
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await link.drop();
  });

  it("is ready while the database answers", async () => {
    const response = await ready();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });

  it("is not ready, with the reason, once the database is unreachable; it stays alive", async () => {
    await link.cut();
    const response = await ready();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", reason: "the database does not answer" });
    expect(health().status).toBe(200);
  });
});
