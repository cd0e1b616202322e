// @vitest-environment node
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { POST } from "@/app/api/auth/[...all]/route";
import { CLIENT_IP_HEADER, clientAddress, installClientAddress, trustedProxies } from "@/lib/client-ip";
import { migrateAuthSchema } from "@/lib/migrate";
import { passwordProblem } from "@/lib/password-policy";
import { FREE_FAILURES } from "@/lib/sign-in-throttle";

import { DatabaseLink, serverUrl } from "./test-database";

const ORIGIN = "http://localhost:3000";

/** A call to the auth route as the app's own page makes it, from the client address `ip`. */
function authCall(path: string, body: object, ip: string, extra: Record<string, string> = {}): Promise<Response> {
  const headers = { "content-type": "application/json", origin: ORIGIN, [CLIENT_IP_HEADER]: ip, ...extra };
  return POST(new Request(`${ORIGIN}/api/auth/${path}`, { method: "POST", headers, body: JSON.stringify(body) }));
}

let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;

describe("client address for the rate limits", () => {
  const trusted = trustedProxies("10.0.0.0/8, 2001:db8::/32");

  it("is the TCP peer's address when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", trusted)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", undefined, trusted)).toBe("203.0.113.9");
  });

  it("follows X-Forwarded-For from the right through trusted proxies only", () => {
    expect(clientAddress("10.1.2.3", "1.2.3.4, 203.0.113.9, 10.9.9.9", trusted)).toBe("203.0.113.9");
    expect(clientAddress("2001:db8::1", "203.0.113.7", trusted)).toBe("203.0.113.7");
  });

  it("refuses a setting that is not an address or range, naming it", () => {
    expect(() => trustedProxies("10.0.0.0/33")).toThrow('TRUSTED_PROXY_CIDRS: "10.0.0.0/33" is not an IP address or CIDR range');
  });
});

describe("password policy", () => {
  it.each(["password", "12345678", "        ", "   short   ", "Password1", "ada@example.com"])("refuses %j", (password) => {
    expect(passwordProblem(password, "ada@example.com")).toMatch(/password/);
  });

  it("accepts a long unusual passphrase", () => {
    expect(passwordProblem("violet kettle under the stairs")).toBeNull();
  });
});

// Password hashing (scrypt) makes each sign-up and sign-in take a while on a busy machine.
describe.skipIf(!serverUrl)("the auth endpoints", { timeout: 30_000 }, () => {
  const link = new DatabaseLink();
  let server: Server;
  let base = "";

  beforeAll(async () => {
    vi.unstubAllGlobals(); // the real fetch, to reach the server below
    vi.stubEnv("DATABASE_URL", await link.open());
    vi.stubEnv("BETTER_AUTH_SECRET", randomBytes(32).toString("hex"));
    await migrateAuthSchema();
    // The route behind a real HTTP server, with the client address set from the socket as in production.
    installClientAddress(trustedProxies(""));
    server = createServer(async (incoming: IncomingMessage, outgoing) => {
      let body = "";
      for await (const chunk of incoming) body += chunk;
      const headers = new Headers(incoming.headers as Record<string, string>);
      const response = await POST(new Request(`${ORIGIN}${incoming.url}`, { method: "POST", headers, body }));
      outgoing.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise((resolve) => server.close(resolve));
    await link.drop();
  });

  it("keeps limiting sign-in when every attempt claims another X-Forwarded-For", async () => {
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const response = await fetch(`${base}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "x-forwarded-for": `203.0.113.${attempt}` },
        body: JSON.stringify({ email: `nobody${attempt}@example.com`, password: "not the password" }),
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });

  it.each([
    ["password", "WEAK_PASSWORD"],
    ["12345678", "WEAK_PASSWORD"],
    ["        ", "WEAK_PASSWORD"],
  ])("refuses the weak password %j at sign-up with one sentence", async (password, code) => {
    const response = await authCall("sign-up/email", { name: "Weak", email: `weak-${freshIp()}@example.com`, password }, freshIp());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code, message: expect.stringMatching(/^[A-Z].*\.$/) });
  });

  it("answers a sign-up for an existing email exactly as for a new one, with no session either way", async () => {
    const body = { name: "Ada", email: "ada@example.com", password: "violet kettle under the stairs" };
    const created = await authCall("sign-up/email", body, freshIp());
    const again = await authCall("sign-up/email", { ...body, password: "another long passphrase" }, freshIp());

    for (const response of [created, again]) {
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const shape = (json: { token: unknown; user: Record<string, unknown> }) => ({ token: json.token, keys: Object.keys(json.user).sort() });
    expect(shape(await again.json())).toEqual(shape(await created.json()));
    // The owner still signs in with the first password; the second one was never stored.
    expect((await authCall("sign-in/email", { email: body.email, password: body.password }, freshIp())).status).toBe(200);
  });

  it("locks an account after repeated wrong passwords, whatever address they come from", async () => {
    const body = { name: "Bob", email: "bob@example.com", password: "violet kettle under the stairs" };
    await authCall("sign-up/email", body, freshIp());
    for (let attempt = 0; attempt < FREE_FAILURES; attempt += 1) {
      const wrong = await authCall("sign-in/email", { email: body.email, password: `wrong ${attempt}` }, freshIp());
      expect(wrong.status).toBe(401);
    }
    const locked = await authCall("sign-in/email", { email: "BOB@example.com", password: body.password }, freshIp());

    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: "SIGN_IN_THROTTLED", message: expect.stringMatching(/wait \d+ seconds/) });
    // Another account is not affected.
    expect((await authCall("sign-in/email", { email: "ada@example.com", password: "violet kettle under the stairs" }, freshIp())).status).toBe(200);
  });
});
