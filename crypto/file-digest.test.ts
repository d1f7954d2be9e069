import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { createFileDigest } from "./file-digest";
import { cryptoReady } from "./sodium";

beforeAll(cryptoReady);

// Expected values from Python's hashlib.blake2b(data, digest_size=32).
describe("file digest", () => {
  it("is BLAKE2b-256 of the whole file, however it is cut into chunks", () => {
    const data = Uint8Array.from({ length: 200_000 }, (_, index) => (index * 7) & 0xff);
    for (const chunk of [1 << 16, 1000, 200_000]) {
      const digest = createFileDigest();
      for (let offset = 0; offset < data.length; offset += chunk) digest.update(data.subarray(offset, offset + chunk));
      expect(toHex(digest.finish())).toBe("b59a875a08fbb8f080b98d157aa9c108b6a08565caec592f4584c9ae9e9cfb32");
    }
    expect(toHex(createFileDigest().finish())).toBe("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  });
});
