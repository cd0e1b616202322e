/** Server-side runtime configuration, read from the environment when first needed (never baked into the bundle). */

const MIN_SECRET_LENGTH = 32;

/** An expected misconfiguration: the server prints its message on one line and stops. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface AuthConfig {
  databaseUrl: string;
  secret: string;
  baseURL: string;
  trustedOrigins: string[];
}

function required(name: string, hint: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set: ${hint}`);
  return value;
}

export function readAuthConfig(): AuthConfig {
  const secret = required("BETTER_AUTH_SECRET", `give it a random string of at least ${MIN_SECRET_LENGTH} characters`);
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`BETTER_AUTH_SECRET is too short: use at least ${MIN_SECRET_LENGTH} characters`);
  }
  return {
    databaseUrl: required("DATABASE_URL", "give it the PostgreSQL URL, e.g. postgresql://user:pass@host:5432/db"),
    secret,
    baseURL: publicUrl(),
    trustedOrigins: trustedOrigins(),
  };
}

function publicUrl(): string {
  return process.env.BETTER_AUTH_URL?.trim() || "http://localhost:3000";
}

function trustedOrigins(): string[] {
  return (process.env.BETTER_AUTH_TRUSTED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** Origins whose pages may send state-changing requests: the public URL's and the trusted ones. */
export function allowedOrigins(): Set<string> {
  const origins = new Set<string>();
  for (const url of [publicUrl(), ...trustedOrigins()]) {
    if (URL.canParse(url)) origins.add(new URL(url).origin);
  }
  return origins;
}

/** The backend's base URL without a trailing slash. */
export function backendUrl(): string {
  return (process.env.BACKEND_URL?.trim() || "http://127.0.0.1:8000").replace(/\/+$/, "");
}
