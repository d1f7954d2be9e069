import { describe, expect, it } from "vitest";
import { parseTrustProxy, type TrustProxy } from "@/lib/config";
import { resolveClientAddress } from "./request-meta";

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

  it("stops at a trusted proxy that forwards something that is not an address", () => {
    expect(resolveClientAddress("10.1.2.3", "not-an-ip", trust("10.0.0.0/8"))).toBe("10.1.2.3");
    expect(resolveClientAddress("10.1.2.3", "203.0.113.7, garbage", trust("2"))).toBe("10.1.2.3");
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
