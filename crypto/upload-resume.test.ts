import { beforeAll, describe, expect, it } from "vitest";
import { createFileEncryptor, generateFileKey } from "./file-stream";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";
import { openUploadResume, sealUploadResume } from "./upload-resume";
import { generateVaultKey } from "./vault";

beforeAll(cryptoReady);

describe("an upload's resume state at rest", () => {
  it("opens only with the same vault key, user and blob, and not once altered", () => {
    const vaultKey = generateVaultKey();
    const fileKey = generateFileKey();
    const { header } = createFileEncryptor(fileKey, { recordId: "r", version: 1, keyVersion: 1 }, 1024);
    const context = { userId: "user-1", blobId: "blob-1" };
    const sealed = sealUploadResume(fileKey, header, vaultKey, context);
    expect(sealed.length).toBe(104);
    // Neither the file key nor the header is in the clear.
    expect(Buffer.from(sealed).includes(Buffer.from(fileKey))).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from(header.subarray(6)))).toBe(false);
    const opened = openUploadResume(sealed, vaultKey, context);
    expect([Buffer.from(opened.fileKey), Buffer.from(opened.header)]).toEqual([Buffer.from(fileKey), Buffer.from(header)]);
    expectCryptoError(() => openUploadResume(sealed, generateVaultKey(), context), "authentication-failed");
    expectCryptoError(() => openUploadResume(sealed, vaultKey, { ...context, blobId: "blob-2" }), "authentication-failed");
    expectCryptoError(() => openUploadResume(sealed, vaultKey, { ...context, userId: "user-2" }), "authentication-failed");
    const altered = sealed.slice();
    altered[50]! ^= 1;
    expectCryptoError(() => openUploadResume(altered, vaultKey, context), "authentication-failed");
    expectCryptoError(() => sealUploadResume(fileKey, header.subarray(1), vaultKey, context), "invalid-argument");
  });
});
