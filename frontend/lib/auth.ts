import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";
import { Pool } from "pg";

import { readAuthConfig } from "@/lib/config";
import { pgConfig } from "@/lib/pg-config";

export const MIN_PASSWORD_LENGTH = 8;

function createPool(databaseUrl: string): Pool {
  const pool = new Pool({ ...pgConfig(databaseUrl), max: 10 });
  // An idle connection can die (database restart, failover); without a listener that would crash the server.
  pool.on("error", (error) => console.error(`todo-frontend: idle database connection lost: ${error.message}`));
  return pool;
}

function createAuth() {
  const config = readAuthConfig();
  return betterAuth({
    database: createPool(config.databaseUrl),
    baseURL: config.baseURL,
    secret: config.secret,
    trustedOrigins: config.trustedOrigins,
    emailAndPassword: { enabled: true, minPasswordLength: MIN_PASSWORD_LENGTH },
    // Default tokens: EdDSA keys published at /api/auth/jwks, sub = user id, iss = aud = baseURL, 15 min expiry.
    // Tokens come from /api/auth/token (or getToken in the proxy); no JWT is signed on every session lookup.
    plugins: [jwt({ disableSettingJwtHeader: true })],
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;

let instance: Auth | undefined;

/** The Better Auth server, created on first use so that `next build` needs no secrets or database. */
export function getAuth(): Auth {
  instance ??= createAuth();
  return instance;
}

/** The signed-in user for a request's headers, or null. */
export async function getSessionUser(headers: Headers) {
  const session = await getAuth().api.getSession({ headers });
  return session?.user ?? null;
}
