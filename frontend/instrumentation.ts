/**
 * Runs once when the server starts: drain cleanly on SIGTERM, check the configuration and migrate Better Auth's
 * tables before serving.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installGracefulShutdown } = await import("@/lib/graceful-shutdown");
  installGracefulShutdown();
  const { installClientAddress } = await import("@/lib/client-ip");
  installClientAddress();
  const { runStartupMigrations } = await import("@/lib/startup");
  await runStartupMigrations();
}
