import "server-only";
import { BlockList, isIP } from "node:net";
import { config, type TrustedRange, type TrustProxy } from "@/lib/config";

/**
 * The global scripts/server.mjs sets to the name of the header it writes the socket's peer
 * address into (overwriting any header of that name a client sent). Without it (a server
 * not started through scripts/server.mjs) no header is believed, and every request counts
 * as from one "unknown" address: limits then hold too tightly, never too loosely.
 */
export const peerAddressHeaderKey = Symbol.for("health-safe-cloud.peer-address-header");

/**
 * The client address for rate limits: the TCP peer, unless the operator declared in
 * TRUST_PROXY the proxies in front of the app, whose X-Forwarded-For entries are then
 * believed (see resolveClientAddress). A client's own X-Forwarded-For never counts.
 */
export function clientAddress(request: Request): string {
  const header = (globalThis as { [peerAddressHeaderKey]?: string })[peerAddressHeaderKey];
  const peer = header ? request.headers.get(header) : null;
  if (!peer || isIP(unmapped(peer)) === 0) return "unknown";
  return resolveClientAddress(peer, request.headers.get("x-forwarded-for"), config().trustProxy);
}

/**
 * Walks from the socket's peer back through X-Forwarded-For (whose last entry the nearest
 * proxy appended) while the hop is trusted, and returns the first untrusted address: with
 * `hops` trusted, the entry `hops` places back (or the first entry if there are fewer);
 * with ranges, the first address outside them. An entry that is not an IP address stops the
 * walk at the proxy that forwarded it, so garbage never makes a fresh address.
 */
export function resolveClientAddress(peer: string, forwardedFor: string | null, trust: TrustProxy): string {
  const chain = [
    peer,
    ...(forwardedFor ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "")
      .reverse(),
  ].map(unmapped);
  let index = 0;
  while (index < chain.length - 1 && isTrusted(chain[index]!, index, trust)) {
    if (isIP(chain[index + 1]!) === 0) break;
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

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; it is the same client as a.b.c.d. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}
