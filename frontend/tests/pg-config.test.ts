// @vitest-environment node
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PeerCertificate } from "node:tls";

import { Client, Connection } from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ConfigError } from "@/lib/config";
import { describeDatabaseError, pgConfig } from "@/lib/pg-config";

const BASE = "postgresql://app:secret@db.example.test:5432/todo";
const CA_PEM = "-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n";

function caFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "pg-config-")), "ca.crt");
  writeFileSync(path, CA_PEM);
  return path;
}

function tls(url: string) {
  const { ssl } = pgConfig(url);
  if (!ssl || ssl === true) throw new Error(`expected TLS options for ${url}`);
  return ssl;
}

// The parts of a certificate that Node's host name check reads.
function certificateFor(altNames: string): PeerCertificate {
  return { subject: { CN: "server" }, subjectaltname: altNames } as unknown as PeerCertificate;
}

afterEach(() => vi.unstubAllEnvs());

describe("pgConfig: libpq's sslmode", () => {
  it.each(["", "?sslmode=disable", "?sslmode=allow", "?sslmode=prefer"])("uses no TLS for %s", (query) => {
    expect(pgConfig(`${BASE}${query}`).ssl).toBe(false);
  });

  it("encrypts without verifying for require, as libpq does without a root certificate", () => {
    expect(tls(`${BASE}?sslmode=require`)).toEqual({ rejectUnauthorized: false });
  });

  it("verifies the chain but not the name for require with a root certificate (libpq: as verify-ca)", () => {
    const ssl = tls(`${BASE}?sslmode=require&sslrootcert=${caFile()}`);
    expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: CA_PEM });
    expect(ssl.checkServerIdentity?.("db.example.test", certificateFor("DNS:other.example"))).toBeUndefined();
  });

  it("takes the root certificate from PGSSLROOTCERT, where the charts mount database.caSecret", () => {
    vi.stubEnv("PGSSLROOTCERT", caFile());
    expect(tls(`${BASE}?sslmode=verify-ca`)).toMatchObject({ rejectUnauthorized: true, ca: CA_PEM });
  });

  it("uses the system's CAs for verify-full without a root certificate, and checks the host name", () => {
    const ssl = tls(`${BASE}?sslmode=verify-full`);
    expect(ssl).toEqual({ rejectUnauthorized: true, checkServerIdentity: expect.any(Function) });
    expect(ssl.checkServerIdentity?.("ignored", certificateFor("DNS:db.example.test"))).toBeUndefined();
    expect(ssl.checkServerIdentity?.("db.example.test", certificateFor("DNS:other.example"))).toBeInstanceOf(Error);
  });

  it("checks an IP address against the certificate's IP names for verify-full", () => {
    const ssl = tls("postgresql://app:secret@172.18.0.1:5433/todo?sslmode=verify-full&sslrootcert=system");
    expect(ssl.checkServerIdentity?.("", certificateFor("IP Address:172.18.0.1"))).toBeUndefined();
    expect(ssl.checkServerIdentity?.("", certificateFor("IP Address:10.0.0.1"))).toBeInstanceOf(Error);
  });

  it("keeps node-postgres from re-reading the TLS parameters and keeps the others", () => {
    const config = pgConfig(`${BASE}?sslmode=require&channel_binding=require&application_name=todo`);
    expect(config.connectionString).toBe(`${BASE}?application_name=todo`);
    expect(config.enableChannelBinding).toBe(true);
    // The Client node-postgres builds from it keeps these options (its URL parser would otherwise verify-full).
    expect(new Client(config)).toMatchObject({ ssl: { rejectUnauthorized: false }, enableChannelBinding: true });
  });

  it.each([
    [`${BASE}?sslmode=required`, "sslmode=required is not one of"],
    [`${BASE}?channel_binding=always`, "channel_binding=always is not one of"],
    [`${BASE}?channel_binding=require`, "channel_binding=require needs TLS"],
    [`${BASE}?sslmode=verify-ca&sslrootcert=/nonexistent/ca.crt`, "cannot read the root certificate /nonexistent/ca.crt"],
    ["not a url", "DATABASE_URL is not a URL"],
  ])("rejects %s with one clear message", (url, message) => {
    expect(() => pgConfig(url)).toThrow(ConfigError);
    expect(() => pgConfig(url)).toThrow(message);
  });
});

describe("describeDatabaseError", () => {
  it("names an unverifiable certificate and what to do", () => {
    const error = Object.assign(new Error("self-signed certificate in certificate chain"), {
      code: "SELF_SIGNED_CERT_IN_CHAIN",
    });
    expect(describeDatabaseError(error)).toMatch(/TLS certificate cannot be verified \(SELF_SIGNED_CERT_IN_CHAIN: .*sslrootcert/);
  });

  it("passes other errors through", () => {
    expect(describeDatabaseError(new Error("password authentication failed"))).toBe("password authentication failed");
  });
});

// A real TLS-only server (ci/external-db/setup.sh; CI exports these after making it): the URL as Neon gives it,
// and the CA the server's certificate chains to.
const tlsServerUrl = process.env.TEST_TLS_DATABASE_URL;
const tlsServerCa = process.env.TEST_TLS_DATABASE_CA;
const skipReason = "set TEST_TLS_DATABASE_URL and TEST_TLS_DATABASE_CA (ci/external-db/setup.sh) to run";

function withQuery(url: string, query: string): string {
  return `${url.split("?")[0]}?${query}`;
}

// node-postgres's Connection sends the SASL mechanism it chose (not in its type declarations).
type SaslSender = { sendSASLInitialResponseMessage(mechanism: string, response: string): void };

async function connect(url: string): Promise<{ ssl: boolean; mechanism: string }> {
  const sent = vi.spyOn(Connection.prototype as unknown as SaslSender, "sendSASLInitialResponseMessage");
  const client = new Client(pgConfig(url));
  try {
    await client.connect();
    const { rows } = await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    return { ssl: rows[0].ssl, mechanism: String(sent.mock.calls[0]?.[0]) };
  } finally {
    sent.mockRestore();
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(!tlsServerUrl || !tlsServerCa)(`a TLS-only server (${skipReason})`, () => {
  it("connects with the Neon-shaped URL over TLS, with channel binding", async () => {
    expect(await connect(tlsServerUrl!)).toEqual({ ssl: true, mechanism: "SCRAM-SHA-256-PLUS" });
  });

  it("verifies the server against its CA for verify-full", async () => {
    const url = withQuery(tlsServerUrl!, `sslmode=verify-full&sslrootcert=${tlsServerCa}`);
    expect((await connect(url)).ssl).toBe(true);
  });

  it("refuses a server whose certificate does not chain to the trusted CAs, saying so", async () => {
    const error = await connect(withQuery(tlsServerUrl!, "sslmode=verify-full")).catch((failure) => failure);
    expect(describeDatabaseError(error)).toMatch(/TLS certificate cannot be verified/);
  });

  it("is refused by the server without TLS", async () => {
    const error = await connect(withQuery(tlsServerUrl!, "sslmode=disable")).catch((failure) => failure);
    expect(String(error)).toMatch(/pg_hba.conf rejects connection .* no encryption/);
  });
});
