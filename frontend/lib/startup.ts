import { ConfigError } from "@/lib/config";
import { migrateAuthSchema } from "@/lib/migrate";
import { describeDatabaseError } from "@/lib/pg-config";

function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return `cannot migrate the auth tables in DATABASE_URL's database: ${describeDatabaseError(error)}`;
}

/** Migrates, or prints one clear line and exits non-zero so the orchestrator restarts or reports the pod. */
export async function runStartupMigrations(): Promise<void> {
  try {
    const changed = await migrateAuthSchema();
    const outcome = changed.length ? `migrated auth tables ${changed.join(", ")}` : "auth tables up to date";
    console.log(`todo-frontend: ${outcome}`);
  } catch (error) {
    console.error(`todo-frontend: ${describe(error)}`);
    process.exit(1);
  }
}
