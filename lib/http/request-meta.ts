import "server-only";
import { BlockList, isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { config, type TrustedRange, type TrustProxy } from "@/lib/config";

/**
 * The global scripts/server.mjs sets to the name of the header it writes the socket's peer
 * address into (overwriting any header of that name a client sent). Without it (a server
 * not started through scripts/server.mjs) no header is believed, and every request counts
 * as from one "unknown" address: limits then hold too tightly, never too loosely.
 */
export const peerAddressHeaderKey = Symbol.for("health-safe-cloud.peer-address-header");

/**
 * The key per-address rate limits count a request under: the client's address (see
 * resolveClientAddress) as rateLimitKey groups it, an IPv6 client by its /64. Without the
 * peer-address header every request counts as "unknown". Throws UntrustworthyForwardingError
 * when a trusted proxy forwarded an entry that is not an address (a misconfigured TRUST_PROXY).
 */
export function clientAddress(request: Request): string {
  const header = (globalThis as { [peerAddressHeaderKey]?: string })[peerAddressHeaderKey];
  const peer = header ? request.headers.get(header) : null;
  if (!peer || isIP(unmapped(peer)) === 0) return "unknown";
  return rateLimitKey(resolveClientAddress(peer, request.headers.get("x-forwarded-for"), config().trustProxy));
}

/**
 * One client's rate-limit key for its full address: an IPv4 address as it is; an IPv6
 * address as its /64 prefix ("2001:db8:1:2::/64"), because one host is routinely handed a
 * whole /64 (RFC 6177, SLAAC privacy addresses) and would otherwise get a fresh allowance per
 * address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address. Anything else
 * (only "unknown" reaches here) is returned unchanged.
 */
export function rateLimitKey(address: string): string {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const ipv6 = parsed as ipaddr.IPv6;
  if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address().toString();
  return `${new ipaddr.IPv6([...ipv6.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}

/**
 * Thrown when a trusted proxy forwarded an X-Forwarded-For entry that is neither an address
 * nor an address with a port. Refusing (a 500 the route logs) is the safe answer: counting
 * the request as the proxy's would put every client of that proxy in one bucket that any one
 * of them could exhaust, and counting it under the entry as written could give one client a
 * fresh allowance per request if the proxy's entries vary.
 */
export class UntrustworthyForwardingError extends Error {
  constructor() {
    super("A trusted proxy (TRUST_PROXY) forwarded an X-Forwarded-For entry that is not an IP address: fix the proxy or TRUST_PROXY.");
    this.name = "UntrustworthyForwardingError";
  }
}

/**
 * Walks from the socket's peer back through X-Forwarded-For (whose last entry the nearest
 * proxy appended) while the hop is trusted, and returns the first untrusted address: with
 * `hops` trusted, the entry `hops` places back (or the first entry if there are fewer);
 * with ranges, the first address outside them. Entries may carry a port, as some proxies
 * write them ("192.0.2.5:4444", "[2001:db8::1]:4444"); it is dropped. Returns the full
 * address (rateLimitKey groups it). Throws UntrustworthyForwardingError when the entry a
 * trusted hop forwarded is not an address, so that no client's garbage, nor a proxy's
 * unparseable format, makes a fresh address or puts every client in the proxy's bucket.
 */
export function resolveClientAddress(peer: string, forwardedFor: string | null, trust: TrustProxy): string {
  const chain = [
    peer,
    ...(forwardedFor ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "")
      .reverse()
      .map(withoutPort),
  ].map(unmapped);
  let index = 0;
  while (index < chain.length - 1 && isTrusted(chain[index]!, index, trust)) {
    if (isIP(chain[index + 1]!) === 0) throw new UntrustworthyForwardingError();
    index++;
  }
  return chain[index]!;
}

function isTrusted(address: string, position: number, trust: TrustProxy): boolean {
  switch (trust.kind) {
    case "none":
      return false;
    case "hops":
      return position < trust.hops;
    case "ranges": {
      const family = isIP(address) === 4 ? "ipv4" : "ipv6";
      return blockListFor(trust.ranges).check(address, family);
    }
  }
}

const blockLists = new WeakMap<TrustedRange[], BlockList>();

function blockListFor(ranges: TrustedRange[]): BlockList {
  let list = blockLists.get(ranges);
  if (!list) {
    list = new BlockList();
    for (const { address, prefix, family } of ranges) list.addSubnet(address, prefix, family);
    blockLists.set(ranges, list);
  }
  return list;
}

/** "192.0.2.5:4444" → "192.0.2.5", "[2001:db8::1]:4444" and "[2001:db8::1]" → "2001:db8::1"; anything else unchanged. */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) return bracketed[1]!;
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  return ipv4WithPort ? ipv4WithPort[1]! : entry;
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; it is the same client as a.b.c.d. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}
