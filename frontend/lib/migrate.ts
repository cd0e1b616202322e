import { getMigrations } from "better-auth/db/migration";
import { Client } from "pg";

import { getAuth } from "@/lib/auth";
import { readAuthConfig } from "@/lib/config";
import { POOL_LIMITS } from "@/lib/db-pool";
import { pgConfig } from "@/lib/pg-config";

// An arbitrary constant shared by every replica: whoever holds it migrates,
// the others wait and then find nothing to do.
const MIGRATION_LOCK_ID = 727_001;

/** Creates or updates Better Auth's tables (user, session, account, verification, jwks) under an advisory lock. */
export async function migrateAuthSchema(): Promise<string[]> {
  const { connectionTimeoutMillis } = POOL_LIMITS; // a silent server fails the attempt instead of hanging it
  const lockHolder = new Client({ ...pgConfig(readAuthConfig().databaseUrl), connectionTimeoutMillis });
  await lockHolder.connect();
  try {
    await lockHolder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(getAuth().options);
    await runMigrations();
    return [...toBeCreated, ...toBeAdded].map((change) => change.table);
  } finally {
    // Closing the session also releases the lock, even if unlocking fails.
    await lockHolder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockHolder.end();
  }
}
