import { describe, expect, it } from "vitest";
import { parseTrustProxy, type TrustProxy } from "@/lib/config";
import { clientAddress, peerAddressHeaderKey, rateLimitKey, resolveClientAddress, UntrustworthyForwardingError } from "./request-meta";

const trust = (value: string): TrustProxy => parseTrustProxy(value)!;

describe("resolveClientAddress", () => {
  it("takes the socket's peer and ignores X-Forwarded-For when no proxy is declared", () => {
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1, 198.51.100.2", trust(""))).toBe("203.0.113.9");
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1", trust("0"))).toBe("203.0.113.9");
  });

  it("believes as many entries as hops are trusted, from the nearest", () => {
    expect(resolveClientAddress("10.0.0.2", "203.0.113.7, 198.51.100.1", trust("1"))).toBe("198.51.100.1");
    expect(resolveClientAddress("10.0.0.2", "203.0.113.7, 198.51.100.1", trust("2"))).toBe("203.0.113.7");
    // Fewer entries than hops: the farthest one there is.
    expect(resolveClientAddress("10.0.0.2", "203.0.113.7", trust("3"))).toBe("203.0.113.7");
    expect(resolveClientAddress("10.0.0.2", null, trust("1"))).toBe("10.0.0.2");
  });

  it("believes only proxies inside the declared ranges", () => {
    const proxies = trust("10.0.0.0/8, ::1");
    expect(resolveClientAddress("10.1.2.3", "203.0.113.7", proxies)).toBe("203.0.113.7");
    expect(resolveClientAddress("::1", "10.0.0.5, 203.0.113.7", proxies)).toBe("203.0.113.7");
    // A client that prepends its own entries gains nothing: the first untrusted hop is its real address.
    expect(resolveClientAddress("10.1.2.3", "1.1.1.1, 203.0.113.7", proxies)).toBe("203.0.113.7");
    // A peer outside the ranges is the client, whatever it says.
    expect(resolveClientAddress("198.51.100.4", "203.0.113.7", proxies)).toBe("198.51.100.4");
    expect(resolveClientAddress("::ffff:10.1.2.3", "203.0.113.7", proxies)).toBe("203.0.113.7");
  });

  it("refuses, rather than picking a shared or fresh address, when a trusted hop forwarded something that is not an address", () => {
    expect(() => resolveClientAddress("10.1.2.3", "not-an-ip", trust("10.0.0.0/8"))).toThrow(UntrustworthyForwardingError);
    expect(() => resolveClientAddress("10.1.2.3", "203.0.113.7, garbage", trust("2"))).toThrow(UntrustworthyForwardingError);
    expect(() => resolveClientAddress("10.1.2.3", "unknown", trust("1"))).toThrow(UntrustworthyForwardingError);
    // A client's own garbage in front of what the trusted proxy appended is never reached.
    expect(resolveClientAddress("10.1.2.3", "garbage, 203.0.113.7", trust("1"))).toBe("203.0.113.7");
    // With no proxy declared X-Forwarded-For is not read at all.
    expect(resolveClientAddress("203.0.113.9", "garbage", trust(""))).toBe("203.0.113.9");
  });

  it("takes entries a proxy wrote with a port as the address without it", () => {
    // Without this every client counted as the proxy, so one client could exhaust sign-in for all.
    expect(resolveClientAddress("10.1.2.3", "192.0.2.5:4444", trust("10.0.0.0/8"))).toBe("192.0.2.5");
    expect(resolveClientAddress("10.1.2.3", "192.0.2.6:4444", trust("1"))).toBe("192.0.2.6");
    expect(resolveClientAddress("10.1.2.3", "[2001:db8::1]:4444", trust("1"))).toBe("2001:db8::1");
    expect(resolveClientAddress("10.1.2.3", "[2001:db8::2]", trust("1"))).toBe("2001:db8::2");
    expect(resolveClientAddress("10.1.2.3", "[::ffff:192.0.2.7]:80", trust("1"))).toBe("192.0.2.7");
    // Each hop's port is dropped as the walk passes it.
    expect(resolveClientAddress("::1", "203.0.113.7:1, 10.0.0.5:2", trust("10.0.0.0/8, ::1"))).toBe("203.0.113.7");
    // Not an address with a port: still refused.
    expect(() => resolveClientAddress("10.1.2.3", "192.0.2.5:", trust("1"))).toThrow(UntrustworthyForwardingError);
    expect(() => resolveClientAddress("10.1.2.3", "[not-an-ip]:4444", trust("1"))).toThrow(UntrustworthyForwardingError);
    expect(() => resolveClientAddress("10.1.2.3", "2001:db8::1:4444:1:2:3:4:5", trust("1"))).toThrow(UntrustworthyForwardingError);
  });
});

describe("rateLimitKey", () => {
  it("counts every address of one IPv6 /64 as one client", () => {
    const key = rateLimitKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe(key);
    expect(rateLimitKey("2001:db8:1:2:a1b2:c3d4:e5f6:789")).toBe(key);
    // The next /64 is another client.
    expect(rateLimitKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(rateLimitKey("::1")).toBe("::/64");
  });

  it("counts an IPv4 address, mapped into IPv6 or not, as itself", () => {
    expect(rateLimitKey("192.0.2.5")).toBe("192.0.2.5");
    expect(rateLimitKey("::ffff:192.0.2.5")).toBe("192.0.2.5");
    expect(rateLimitKey("::FFFF:c000:0205")).toBe("192.0.2.5");
    expect(rateLimitKey("unknown")).toBe("unknown");
  });
});

describe("parseTrustProxy", () => {
  it("takes hop counts and lists of addresses and CIDR ranges, and nothing else", () => {
    expect(parseTrustProxy(undefined)).toEqual({ kind: "none" });
    expect(parseTrustProxy("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parseTrustProxy("10.0.0.0/8,::1")).toEqual({
      kind: "ranges",
      ranges: [
        { address: "10.0.0.0", prefix: 8, family: "ipv4" },
        { address: "::1", prefix: 128, family: "ipv6" },
      ],
    });
    for (const bad of ["true", "11", "10.0.0.0/33", "localhost", "10.0.0.0/8/1", "1.2.3.4,", "-1"]) expect(parseTrustProxy(bad)).toBeUndefined();
  });
});

describe("clientAddress", () => {
  it("gives the services the rate-limit key: a whole IPv6 /64 counts as one client", () => {
    const slot = globalThis as { [peerAddressHeaderKey]?: string };
    const before = slot[peerAddressHeaderKey];
    slot[peerAddressHeaderKey] = "x-test-peer-address";
    try {
      const from = (peer: string) => clientAddress(new Request("http://localhost:3000/api/test", { headers: { "x-test-peer-address": peer } }));
      expect(from("2001:db8:1:2::1")).toBe(from("2001:db8:1:2:ffff::9"));
      expect(from("2001:db8:1:2::1")).not.toBe(from("2001:db8:1:3::1"));
      expect(from("::ffff:192.0.2.5")).toBe("192.0.2.5");
    } finally {
      slot[peerAddressHeaderKey] = before;
    }
  });
});
