import { lookup as lookupCallback } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { DomainError } from "@paymesh/runtime";

/** Addresses a webhook must not reach: this host, private networks, link-local, and the like. */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  INTERNAL.addSubnet(network, prefix, "ipv6");
}

/**
 * Whether `address` (an IP, else it counts as internal) is internal. BlockList matches an
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) against the IPv4 rules, so none is needed for them.
 */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

export interface EndpointGuardOptions {
  /** Let endpoints reach internal addresses (development and tests). */
  allowPrivate: boolean;
  requireHttps: boolean;
}

/**
 * Checks a URL a user gives for a webhook: http(s), no credentials in it, https when required,
 * and a host that resolves only to public addresses (unless allowed). INVALID_ARGUMENT otherwise.
 */
export async function checkEndpointUrl(raw: string, options: EndpointGuardOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("invalid_argument", `url: "${raw}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new DomainError("invalid_argument", "url: must be http or https");
  if (options.requireHttps && url.protocol !== "https:") throw new DomainError("invalid_argument", "url: must be https");
  if (url.username !== "" || url.password !== "") throw new DomainError("invalid_argument", "url: must not carry credentials");
  if (options.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true, verbatim: true })).map((found) => found.address);
  } catch {
    throw new DomainError("invalid_argument", `url: host ${host} does not resolve`);
  }
  if (addresses.some(isInternalAddress)) {
    throw new DomainError("invalid_argument", `url: ${host} is a private or loopback address; webhooks go to public hosts only`);
  }
  return url;
}

/**
 * A DNS lookup for outgoing webhook requests that refuses internal addresses at connection time,
 * so a host that resolved to a public address when the endpoint was created cannot be pointed
 * inside later (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookupCallback(hostname, { ...options, all: true }, (error, found) => {
      if (error !== null) {
        callback(error, "", 0);
        return;
      }
      const list = found as unknown as Array<{ address: string; family: number }>;
      const allowed = allowPrivate ? list : list.filter((entry) => !isInternalAddress(entry.address));
      if (allowed.length === 0) {
        callback(Object.assign(new Error(`${hostname} resolves only to private or loopback addresses`), { code: "EPRIVATE" }), "", 0);
        return;
      }
      if (options.all) callback(null, allowed as never);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
