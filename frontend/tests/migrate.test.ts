// @vitest-environment node
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { migrateAuthSchema } from "@/lib/migrate";

import { onServer, serverUrl } from "./test-database";

// A real PostgreSQL (CI exports TEST_DATABASE_URL); each run works in a database of its own.
const database = `todo_frontend_${randomBytes(4).toString("hex")}`;

describe.skipIf(!serverUrl)("migrateAuthSchema", () => {
  beforeAll(async () => {
    await onServer(`CREATE DATABASE ${database}`);
    vi.stubEnv("DATABASE_URL", serverUrl!.replace(/\/[^/]*$/, `/${database}`));
    vi.stubEnv("BETTER_AUTH_SECRET", randomBytes(32).toString("hex"));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it("creates Better Auth's tables exactly once when several replicas start together", async () => {
    const results = await Promise.all([migrateAuthSchema(), migrateAuthSchema(), migrateAuthSchema()]);

    const migrated = results.filter((tables) => tables.length > 0);
    expect(migrated).toHaveLength(1);
    expect([...migrated[0]].sort()).toEqual(["account", "jwks", "session", "user", "verification"]);
    expect(await migrateAuthSchema()).toEqual([]);
  });
});
