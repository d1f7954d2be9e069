import { describe, expect, it } from "vitest";
import { CryptoError } from "@/crypto";
import { IntegrityError, isIntegrityError, verified, verifiedAsync } from "./integrity";

describe("verified", () => {
  it("reports data that fails a check as an IntegrityError of the caller's kind", () => {
    const error = (() => {
      try {
        verified("signature", () => {
          throw new CryptoError("authentication-failed");
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isIntegrityError(error) && error.code).toBe("signature");
  });

  it("reports bytes out of the protocol's layout as a shape failure", () => {
    expect(() =>
      verified("decrypt", () => {
        throw new CryptoError("truncated");
      }),
    ).toThrow(IntegrityError);
    try {
      verified("decrypt", () => {
        throw new CryptoError("malformed");
      });
    } catch (caught) {
      expect((caught as IntegrityError).code).toBe("shape");
    }
  });

  it("lets programming errors through unchanged", async () => {
    const bug = new TypeError("x is undefined");
    expect(() =>
      verified("decrypt", () => {
        throw bug;
      }),
    ).toThrow(bug);
    const misuse = new CryptoError("invalid-argument");
    expect(() =>
      verified("decrypt", () => {
        throw misuse;
      }),
    ).toThrow(misuse);
    await expect(
      verifiedAsync("decrypt", async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
  });

  it("returns what the check returns", async () => {
    expect(verified("decrypt", () => 7)).toBe(7);
    await expect(verifiedAsync("decrypt", async () => 8)).resolves.toBe(8);
  });
});
