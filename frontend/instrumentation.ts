/** Runs once when the server starts: check the configuration and migrate Better Auth's tables before serving. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { runStartupMigrations } = await import("@/lib/startup");
  await runStartupMigrations();
}
