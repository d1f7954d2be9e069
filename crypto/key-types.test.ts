import { beforeAll, describe, expect, it } from "vitest";
import { generateFileKey } from "./file-stream";
import { fileKeyFromBytes, vaultKeyFromBytes, type RecordKey, type ShareKey } from "./key-types";
import { generateEncryptionKeyPair } from "./keys";
import { encryptRecordContent, generateRecordKey } from "./record-content";
import { wrapRecordKey } from "./record-key-wrap";
import { deriveShareKey, generateShareKey, sealShareKey } from "./share-key";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";
import { deriveOwnerWrappingKey, generateVaultKey, wrapVaultKey } from "./vault";

beforeAll(cryptoReady);

// The @ts-expect-error lines are the test: `npm run typecheck` fails if any of them stops
// being a type error, that is if a key of one role becomes assignable to another's place.
describe("branded key types", () => {
  it("keep keys of one role out of another's place (checked by the type checker)", () => {
    const recordKey: RecordKey = generateRecordKey();
    const shareKey: ShareKey = generateShareKey();
    const vaultKey = generateVaultKey();
    const recipient = generateEncryptionKeyPair().publicKey;

    // @ts-expect-error a record key where a share key is expected
    const sealedRecordKey = sealShareKey(recordKey, recipient, { grantId: "g" });
    // @ts-expect-error a share key where a record key is expected
    const wrappedShareKey = wrapRecordKey(shareKey, shareKey, { recordId: "r", keyVersion: 1, grantId: "g" });
    // @ts-expect-error a record key as the wrapping key of a record key
    wrapRecordKey(recordKey, recordKey, { recordId: "r", keyVersion: 1, grantId: "g" });
    // @ts-expect-error the vault key as its own key-encryption key
    wrapVaultKey(vaultKey, vaultKey, { userId: "u", methodId: "m" });
    // @ts-expect-error a share key encrypting record content
    encryptRecordContent(new Uint8Array(1), shareKey, { recordId: "r", version: 1, keyVersion: 1 });
    // @ts-expect-error a file key where a record key is expected
    encryptRecordContent(new Uint8Array(1), generateFileKey(), { recordId: "r", version: 1, keyVersion: 1 });
    // @ts-expect-error bare bytes are no key at all
    sealShareKey(new Uint8Array(32), recipient, { grantId: "g" });
    // @ts-expect-error the owner's wrapping key is not a vault key
    deriveShareKey(deriveOwnerWrappingKey(vaultKey), { grantId: "g" });

    // At run time every key is 32 bytes, so the mix-ups above go through: only the types stop them.
    expect(sealedRecordKey.length).toBe(sealShareKey(shareKey, recipient, { grantId: "g" }).length);
    expect(wrappedShareKey.length).toBe(74);
    // Keys of the right role are accepted where they belong.
    expect(wrapRecordKey(recordKey, shareKey, { recordId: "r", keyVersion: 1, grantId: "g" }).length).toBe(74);
    expect(wrapRecordKey(recordKey, deriveOwnerWrappingKey(vaultKey), { recordId: "r", keyVersion: 1, grantId: "owner" }).length).toBe(74);
  });

  it("brand bytes from outside crypto/ only when they are 32 long", () => {
    expect(vaultKeyFromBytes(new Uint8Array(32)).length).toBe(32);
    expect(fileKeyFromBytes(new Uint8Array(32)).length).toBe(32);
    expectCryptoError(() => vaultKeyFromBytes(new Uint8Array(31)), "invalid-key");
    expectCryptoError(() => fileKeyFromBytes(new Uint8Array(33)), "invalid-key");
  });
});
