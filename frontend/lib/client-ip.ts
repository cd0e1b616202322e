/**
 * The client address the auth rate limits are keyed on, from what a client cannot forge. Next's server passes a
 * client's own X-Forwarded-For through untouched, so the header alone proves nothing: the address is the TCP
 * peer's, and X-Forwarded-For is followed (from the right) only through hops listed in TRUSTED_PROXY_CIDRS
 * (e.g. the ingress controller's pod network). The result goes in CLIENT_IP_HEADER on every request, replacing
 * anything a client sent under that name, and Better Auth reads only that header.
 */
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP, type Socket } from "node:net";

import { ConfigError } from "@/lib/config";

export const CLIENT_IP_HEADER = "x-todo-client-ip";

/** TRUSTED_PROXY_CIDRS: comma-separated addresses or CIDR ranges of the proxies in front of the server. */
export function trustedProxies(spec = process.env.TRUSTED_PROXY_CIDRS ?? ""): BlockList {
  const list = new BlockList();
  for (const entry of spec.split(",").map((item) => item.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (!family || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw new ConfigError(`TRUSTED_PROXY_CIDRS: "${entry}" is not an IP address or CIDR range`);
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

function plain(address: string): string {
  const mapped = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : "";
  return isIP(mapped) === 4 ? mapped : address;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The first address, from the TCP peer back along X-Forwarded-For, that is not a trusted proxy. */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trusted: BlockList): string {
  const hops = [forwardedFor ?? ""].flat().join(",").split(",").map((hop) => hop.trim()).filter(Boolean);
  let client = plain(peer);
  while (isTrusted(trusted, client) && hops.length) client = plain(hops.pop()!);
  return client;
}

function configuredProxies(): BlockList {
  try {
    return trustedProxies();
  } catch (error) {
    console.error(`todo-frontend: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}

/** Sets CLIENT_IP_HEADER on every request the server receives, before the app sees it. */
export function installClientAddress(trusted = configuredProxies()): void {
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[CLIENT_IP_HEADER] = clientAddress(socket.remoteAddress ?? "", request.headers["x-forwarded-for"], trusted);
  });
}
