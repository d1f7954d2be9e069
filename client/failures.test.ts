import { afterEach, describe, expect, it, vi } from "vitest";
import { CryptoError } from "@/crypto";
import { ApiError, isAccessEnded } from "./transport/api";
import { describeFailure, failureKind } from "./failures";
import { rollbackError } from "./keystore/rollback-guard";

const words = { accessEnded: "Pia no longer shares this with you.", integrity: "It was altered or damaged." };

describe("failure kinds", () => {
  afterEach(() => vi.useRealTimers());

  it("tells access that ended from tampering, a lost connection and other refusals", () => {
    for (const status of [404, 410]) expect(failureKind(new ApiError(status, "not-found", "There is no such upload."))).toBe("access-ended");
    // A share that still exists but allows less (read only) is refused with its own reason, not as ended.
    expect(failureKind(new ApiError(403, "forbidden", "This patient shared their records for reading only."))).toBe("refused");
    expect(failureKind(new CryptoError("authentication-failed"))).toBe("integrity");
    expect(failureKind(rollbackError("a record"))).toBe("integrity");
    expect(failureKind(new ApiError(0, "network", "offline"))).toBe("unreachable");
    expect(failureKind(new ApiError(503, "service-unavailable", "busy"))).toBe("unreachable");
    expect(failureKind(new ApiError(409, "conflict", "Changed meanwhile."))).toBe("refused");
    expect(failureKind(new TypeError("x is undefined"))).toBeNull();
    expect(isAccessEnded(new ApiError(404, "not-found", ""))).toBe(true);
    expect(isAccessEnded(new CryptoError("authentication-failed"))).toBe(false);
  });

  it("words each kind as the caller says, and never calls an ended share or a bug tampering", () => {
    expect(describeFailure(new ApiError(404, "not-found", "There is no such upload."), words)).toBe(words.accessEnded);
    expect(describeFailure(new CryptoError("authentication-failed"), words)).toBe(words.integrity);
    expect(describeFailure(new ApiError(409, "conflict", "Changed meanwhile."), words)).toBe("Changed meanwhile.");
    expect(describeFailure(new ApiError(0, "network", ""), words)).toMatch(/could not reach/i);
    // A rate limit is not a lost connection: its own message says how long to wait.
    const limited = new ApiError(429, "rate-limited", "Too many searches from this account. Try again in 9 minutes.");
    expect(failureKind(limited)).toBe("refused");
    expect(describeFailure(limited, { ...words, unreachable: "Check your connection." })).toBe(limited.message);
  });

  it("throws a programming error again, outside the caller's catch", () => {
    vi.useFakeTimers();
    const bug = new TypeError("x is undefined");
    const message = describeFailure(bug, words);
    expect(message).not.toMatch(/altered|damaged|no longer shares/);
    expect(() => vi.runAllTimers()).toThrow(bug);
  });
});
