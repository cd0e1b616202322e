/**
 * Runs once when the server starts: drain cleanly on SIGTERM, key the auth rate limits on the real client
 * address, answer /api/backend/* before Next's router (lib/fast-proxy.ts), and check the configuration and
 * migrate Better Auth's tables before serving.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installGracefulShutdown } = await import("@/lib/graceful-shutdown");
  installGracefulShutdown();
  const { installClientAddress } = await import("@/lib/client-ip");
  installClientAddress();
  const { installFastProxy } = await import("@/lib/fast-proxy");
  installFastProxy(); // after the two above: they see every request, on either path
  const { runStartupMigrations } = await import("@/lib/startup");
  await runStartupMigrations();
}
