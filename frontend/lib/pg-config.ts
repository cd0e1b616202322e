/**
 * DATABASE_URL to node-postgres configuration with libpq's meaning of the TLS options, as psql and the backend
 * (psycopg) read them. node-postgres reads `sslmode` its own way (`require` verifies the certificate and the host
 * name, and a private CA cannot be named outside the URL), so a URL that works in psql could fail here, or a
 * stricter mode could be skipped. Here, as in libpq:
 * - disable, allow, prefer (or no sslmode): no TLS. libpq's allow/prefer fall back between plain and TLS
 *   connections, which node-postgres cannot do; use require or stricter where TLS matters.
 * - require: encrypted, the certificate unchecked, unless a root certificate is given: then as verify-ca.
 * - verify-ca: the certificate must chain to the root certificate (the system's CAs when none is given).
 * - verify-full: verify-ca, and the certificate must name the host.
 * The root certificate is `sslrootcert` in the URL, else PGSSLROOTCERT (the charts mount database.caSecret there).
 * `channel_binding=require` binds SCRAM to the TLS channel (SCRAM-SHA-256-PLUS) and needs TLS.
 */
import { readFileSync } from "node:fs";
import { checkServerIdentity, type PeerCertificate } from "node:tls";

import type { ClientConfig } from "pg";

import { ConfigError } from "@/lib/config";

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
type SslMode = (typeof SSL_MODES)[number];
const CHANNEL_BINDINGS = ["disable", "prefer", "require"];
// Read here, so node-postgres must not see them (it would apply its own meaning).
const TLS_PARAMETERS = ["sslmode", "sslrootcert", "channel_binding", "ssl", "uselibpqcompat", "sslnegotiation"];

type TlsOptions = Exclude<ClientConfig["ssl"], boolean | undefined>;

function sslMode(value: string | null): SslMode {
  const mode = value ?? process.env.PGSSLMODE?.trim() ?? "prefer";
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`DATABASE_URL: sslmode=${mode} is not one of ${SSL_MODES.join(", ")}`);
  }
  return mode as SslMode;
}

function rootCertificate(path: string | undefined): string | undefined {
  if (!path || path === "system") return undefined; // the system's (Node's) trusted CAs
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new ConfigError(`DATABASE_URL: cannot read the root certificate ${path} (sslrootcert/PGSSLROOTCERT): ${reason}`);
  }
}

/** The `ssl` option of node-postgres for a libpq sslmode, or false for no TLS. */
export function tlsOptions(mode: SslMode, host: string, rootCertPath?: string): TlsOptions | false {
  if (mode === "disable" || mode === "allow" || mode === "prefer") return false;
  if (mode === "require" && !rootCertPath) return { rejectUnauthorized: false };
  const ca = rootCertificate(rootCertPath);
  const options: TlsOptions = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  if (mode !== "verify-full") {
    // verify-ca: the chain is checked, the name in the certificate is not.
    options.checkServerIdentity = () => undefined;
  } else {
    options.checkServerIdentity = (_servername: string, cert: PeerCertificate) => checkServerIdentity(host, cert);
  }
  return options;
}

/** node-postgres Pool/Client options for a PostgreSQL URL, with libpq's TLS semantics (see the module comment). */
export function pgConfig(databaseUrl: string): ClientConfig {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError("DATABASE_URL is not a URL: give postgresql://user:password@host:5432/database");
  }
  const params = url.searchParams;
  const mode = sslMode(params.get("sslmode"));
  const channelBinding = params.get("channel_binding") ?? "prefer";
  if (!CHANNEL_BINDINGS.includes(channelBinding)) {
    throw new ConfigError(`DATABASE_URL: channel_binding=${channelBinding} is not one of ${CHANNEL_BINDINGS.join(", ")}`);
  }
  const ssl = tlsOptions(mode, url.hostname.replace(/^\[|\]$/g, ""), params.get("sslrootcert") ?? process.env.PGSSLROOTCERT?.trim());
  if (channelBinding === "require" && !ssl) {
    throw new ConfigError(`DATABASE_URL: channel_binding=require needs TLS, but sslmode is ${mode}: use sslmode=require or stricter`);
  }
  for (const name of TLS_PARAMETERS) params.delete(name);
  return { connectionString: url.toString(), ssl, enableChannelBinding: channelBinding !== "disable" && Boolean(ssl) };
}

// Node's codes for a certificate that does not verify (chain, expiry, or a name that does not match).
const CERTIFICATE_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** One line for a database connection error; an unverifiable server certificate says what to do about it. */
export function describeDatabaseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  if (!CERTIFICATE_CODES.has(code)) return message;
  return (
    `the database server's TLS certificate cannot be verified (${code}: ${message}); give its CA with ` +
    "sslrootcert in DATABASE_URL or the chart's database.caSecret, or check the host name in DATABASE_URL"
  );
}
