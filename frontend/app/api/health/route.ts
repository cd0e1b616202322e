/** Liveness and readiness of the web server: it answers, and touches no dependency. */
export function GET(): Response {
  return Response.json({ status: "ok" });
}
