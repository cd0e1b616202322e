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

/** Which chat UI the chat page renders: the project's own, or OpenAI's ChatKit web component. */
export type ChatUi = { mode: "default" } | { mode: "chatkit"; domainKey: string };

/**
 * CHAT_UI (`default` when unset, or `chatkit`) and, for ChatKit, CHATKIT_DOMAIN_KEY: read on the server at
 * request time, so one image serves both. The domain key is public by design (ChatKit sends it from the browser
 * to OpenAI to check the page's domain); it comes from a Secret so that each deployment registers its own.
 */
export function readChatUi(): ChatUi {
  const mode = process.env.CHAT_UI?.trim() || "default";
  if (mode === "default") return { mode };
  if (mode !== "chatkit") throw new ConfigError(`CHAT_UI must be "default" or "chatkit", not "${mode}"`);
  const domainKey = required(
    "CHATKIT_DOMAIN_KEY",
    "CHAT_UI=chatkit needs the domain key of this site from OpenAI's domain allowlist (docs/frontend.md)",
  );
  return { mode, domainKey };
}
