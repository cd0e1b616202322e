/**
 * Better Auth options that defend the sign-in and sign-up endpoints (lib/auth.ts spreads them in):
 * - rate limits keyed on the client address lib/client-ip.ts derives from the TCP peer (a client's own
 *   X-Forwarded-For is not believed), on in every environment;
 * - the password policy of lib/password-policy.ts on every endpoint that sets a password;
 * - no account enumeration: sign-up answers the same for a new and an existing email and starts no session
 *   (autoSignIn off), so the form signs in afterwards with the same credentials.
 * Per-account throttling of sign-in is lib/sign-in-throttle.ts, around the route handler.
 */
import type { BetterAuthOptions } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";

import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { MIN_PASSWORD_LENGTH, passwordProblem } from "@/lib/password-policy";

// Endpoints that set a password, and the body field that holds it.
const NEW_PASSWORD_FIELDS: Record<string, string> = {
  "/sign-up/email": "password",
  "/reset-password": "newPassword",
  "/change-password": "newPassword",
};

const enforcePasswordPolicy = createAuthMiddleware(async (ctx) => {
  const field = NEW_PASSWORD_FIELDS[ctx.path];
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  if (!field || typeof body[field] !== "string") return;
  const problem = passwordProblem(body[field], typeof body.email === "string" ? body.email : "");
  if (problem) throw new APIError("BAD_REQUEST", { code: "WEAK_PASSWORD", message: problem });
});

export const AUTH_HARDENING = {
  emailAndPassword: { enabled: true, minPasswordLength: MIN_PASSWORD_LENGTH, autoSignIn: false },
  hooks: { before: enforcePasswordPolicy },
  rateLimit: { enabled: true },
  advanced: { ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] } },
} satisfies Partial<BetterAuthOptions>;
