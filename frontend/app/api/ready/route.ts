import { sessionStoreAnswers } from "@/lib/auth";

/**
 * Readiness: the server answers and so does its database, without which nobody can sign in. Liveness stays on
 * /api/health, which touches no dependency, so a database outage never restarts the web server.
 */
export async function GET(): Promise<Response> {
  if (await sessionStoreAnswers()) return Response.json({ status: "ready" });
  return Response.json({ status: "unavailable", reason: "the database does not answer" }, { status: 503 });
}
