/**
 * Per-account throttling of password sign-in, whatever address the attempts come from: after FREE_FAILURES
 * wrong passwords for one email, that email is locked for LOCK_MS, doubling with each further failure up to
 * MAX_LOCK_MS; a successful sign-in or FORGET_MS without failures clears it. Kept in memory, per replica.
 */
export const FREE_FAILURES = 5;
const LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;
const FORGET_MS = 15 * 60_000;
const MAX_TRACKED = 50_000;

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

const accounts = new Map<string, Failures>();

function forgetOld(now: number): void {
  if (accounts.size < MAX_TRACKED) return;
  for (const [email, failures] of accounts) if (now - failures.last > FORGET_MS) accounts.delete(email);
}

function recordFailure(email: string, now: number): void {
  forgetOld(now);
  const previous = accounts.get(email);
  const count = previous && now - previous.last <= FORGET_MS ? previous.count + 1 : 1;
  const over = count - FREE_FAILURES;
  const lockedUntil = over >= 0 ? now + Math.min(LOCK_MS * 2 ** over, MAX_LOCK_MS) : 0;
  accounts.set(email, { count, last: now, lockedUntil });
}

async function emailOf(request: Request): Promise<string | null> {
  try {
    const { email } = (await request.clone().json()) as { email?: unknown };
    return typeof email === "string" ? email.trim().toLowerCase() : null;
  } catch {
    return null;
  }
}

function lockedResponse(waitMs: number): Response {
  const seconds = Math.ceil(waitMs / 1000);
  const message = `Too many failed sign-ins for this account. Please wait ${seconds} seconds and try again.`;
  return Response.json(
    { code: "SIGN_IN_THROTTLED", message },
    { status: 429, headers: { "x-retry-after": String(seconds), "cache-control": "no-store" } },
  );
}

/** Runs `handle` for the request, refusing password sign-ins for an account that failed too often. */
export async function withSignInThrottle(request: Request, handle: (request: Request) => Promise<Response>) {
  const isSignIn = request.method === "POST" && new URL(request.url).pathname.endsWith("/sign-in/email");
  const email = isSignIn ? await emailOf(request) : null;
  if (!email) return handle(request);
  const lockedUntil = accounts.get(email)?.lockedUntil ?? 0;
  if (lockedUntil > Date.now()) return lockedResponse(lockedUntil - Date.now());
  const response = await handle(request);
  if (response.status === 401) recordFailure(email, Date.now());
  else if (response.ok) accounts.delete(email);
  return response;
}
