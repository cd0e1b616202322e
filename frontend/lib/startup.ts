import { ConfigError, readChatUi } from "@/lib/config";
import { migrateAuthSchema } from "@/lib/migrate";
import { describeDatabaseError } from "@/lib/pg-config";

// Like the backend's migrations: the database may still be starting (or its Service not routing yet) when the
// server starts, right after an install or a reset. Keep trying this long before giving up.
const DEFAULT_PATIENCE_SECONDS = 90;
const RETRY_INTERVAL_MS = 2_000;
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A database that cannot be reached (yet): no connection, a timeout, or a server still starting up. */
export function isUnreachable(error: unknown): boolean {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (NETWORK_CODES.has(code) || code === "57P03" || code.startsWith("08")) return true;
  return /timeout|Connection terminated/i.test(reason(error));
}

function patienceSeconds(): number {
  const configured = Number(process.env.DATABASE_WAIT_SECONDS);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_PATIENCE_SECONDS;
}

function fail(message: string): never {
  console.error(`todo-frontend: ${message}`);
  process.exit(1);
}

/**
 * Migrates the auth tables, retrying with one log line per attempt while the database is unreachable; prints one
 * clear line and exits non-zero if it never comes, or at once for any other problem (bad URL, password, secret).
 */
export async function runStartupMigrations(): Promise<void> {
  try {
    // A wrong CHAT_UI stops the start here; the project's own UI needs no mention.
    const { mode } = readChatUi();
    if (mode !== "default") console.log(`todo-frontend: chat UI ${mode}`);
  } catch (error) {
    fail(reason(error));
  }
  const patience = patienceSeconds();
  const deadline = Date.now() + patience * 1000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const changed = await migrateAuthSchema();
      const outcome = changed.length ? `migrated auth tables ${changed.join(", ")}` : "auth tables up to date";
      console.log(`todo-frontend: ${outcome}`);
      return;
    } catch (error) {
      if (error instanceof ConfigError) fail(error.message);
      if (!isUnreachable(error)) {
        fail(`cannot migrate the auth tables in DATABASE_URL's database: ${describeDatabaseError(error)}`);
      }
      if (Date.now() >= deadline) fail(`database unreachable for ${patience} s, giving up: ${reason(error)}`);
      console.warn(`todo-frontend: database not reachable yet (attempt ${attempt}: ${reason(error)}); retrying in 2 s`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
    }
  }
}
