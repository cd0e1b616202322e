/** `npm run migrate`: the same locked Better Auth migration the server runs at start-up. */
import { runStartupMigrations } from "@/lib/startup";

await runStartupMigrations();
process.exit(0);
