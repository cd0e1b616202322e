import { ConfigError, readChatUi } from "@/lib/config";
import { migrateAuthSchema } from "@/lib/migrate";

function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `cannot migrate the auth tables in DATABASE_URL's database: ${message}`;
}

/** Migrates, or prints one clear line and exits non-zero so the orchestrator restarts or reports the pod. */
export async function runStartupMigrations(): Promise<void> {
  try {
    console.log(`todo-frontend: chat UI ${readChatUi().mode}`); // a wrong CHAT_UI stops the start here
    const changed = await migrateAuthSchema();
    const outcome = changed.length ? `migrated auth tables ${changed.join(", ")}` : "auth tables up to date";
    console.log(`todo-frontend: ${outcome}`);
  } catch (error) {
    console.error(`todo-frontend: ${describe(error)}`);
    process.exit(1);
  }
}
