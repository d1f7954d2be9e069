import { beforeAll, describe, expect, it } from "vitest";
import { deriveKeyEncryptionKey } from "./kdf";
import { CryptoError } from "./errors";
import { toHex } from "./encoding";
import { cryptoReady } from "./sodium";
import { bytesFrom } from "./test-helpers";

beforeAll(cryptoReady);

describe("deriveKeyEncryptionKey", () => {
  it("gives 32 bytes that depend on PRF output, salt and purpose", async () => {
    const prf = bytesFrom(60, 32);
    const salt = bytesFrom(61, 32);
    const kek = await deriveKeyEncryptionKey(prf, salt, "vault-key");
    expect(kek).toHaveLength(32);
    expect(toHex(kek)).toBe(toHex(await deriveKeyEncryptionKey(prf, salt, "vault-key")));
    expect(toHex(kek)).not.toBe(toHex(await deriveKeyEncryptionKey(bytesFrom(62, 32), salt, "vault-key")));
    expect(toHex(kek)).not.toBe(toHex(await deriveKeyEncryptionKey(prf, bytesFrom(63, 32), "vault-key")));
    expect(toHex(kek)).not.toBe(toHex(await deriveKeyEncryptionKey(prf, salt, "other")));
    expect(toHex(kek)).toBe(KAT_KEK);
  });

  it("refuses a PRF output that is not 32 bytes, a short salt and an empty purpose", async () => {
    await expect(deriveKeyEncryptionKey(new Uint8Array(31), new Uint8Array(32), "p")).rejects.toThrow(CryptoError);
    await expect(deriveKeyEncryptionKey(new Uint8Array(32), new Uint8Array(8), "p")).rejects.toThrow(CryptoError);
    await expect(deriveKeyEncryptionKey(new Uint8Array(32), new Uint8Array(32), "")).rejects.toThrow(CryptoError);
  });
});

const KAT_KEK = "038d4b1036181759686fdef37cdfef7a1a27a406cb76a2badaafe0e943b64b95";
