import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError, cryptoReady, generateRecordKey, toBase64url } from "@/crypto";
import { openSharedVersion, reencryptVersion, sealVersion, type RecordDocument } from "./records";
import type { FileReference } from "./files";
import { patientVault } from "./test-server";

beforeAll(cryptoReady);

/** Someone with fresh keys, named `userId`. */
const person = (userId: string) => ({ ...patientVault(), userId });

const note: RecordDocument = { v: 1, kind: "note", resource: { resourceType: "DocumentReference", description: "Wear the monitor for 48 hours." } };
const file = (blobId: string, keyVersion: number): FileReference => ({
  blobId,
  key: toBase64url(generateRecordKey()),
  header: toBase64url(new Uint8Array(30)),
  chunkSize: 1024,
  chunkCount: 1,
  recordId: "r1",
  version: 1,
  keyVersion,
  size: 12,
  digest: toBase64url(new Uint8Array(32).fill(5)),
});
const served = (sealed: ReturnType<typeof sealVersion>, authorId: string) => ({ ...sealed, authorId, createdAt: "2026-11-29T10:00:00.000Z" });

describe("record versions", () => {
  it("open as sealed, verified by their author", () => {
    const doctor = person("doctor");
    const key = generateRecordKey();
    const sealed = sealVersion(note, key, { recordId: "r1", version: 1, keyVersion: 1 }, doctor);
    expect(openSharedVersion("r1", served(sealed, "doctor"), key, doctor.keys.identityPublicKey).document).toEqual(note);
  });

  it("are refused under another author, record or version, or with altered content or commitment", () => {
    const doctor = person("doctor");
    const key = generateRecordKey();
    const sealed = served(sealVersion(note, key, { recordId: "r1", version: 1, keyVersion: 1 }, doctor), "doctor");
    const other = sealVersion(
      { ...note, resource: { resourceType: "DocumentReference", description: "Something else" } },
      key,
      { recordId: "r1", version: 1, keyVersion: 1 },
      doctor,
    );
    for (const attempt of [
      () => openSharedVersion("r1", { ...sealed, authorId: "patient" }, key, doctor.keys.identityPublicKey),
      () => openSharedVersion("r1", sealed, key, person("patient").keys.identityPublicKey),
      () => openSharedVersion("r2", sealed, key, doctor.keys.identityPublicKey),
      () => openSharedVersion("r1", { ...sealed, version: 2 }, key, doctor.keys.identityPublicKey),
      // Another genuine ciphertext under the same key and context, but not the one signed.
      () => openSharedVersion("r1", { ...sealed, content: other.content }, key, doctor.keys.identityPublicKey),
      () => openSharedVersion("r1", { ...sealed, commitment: other.commitment }, key, doctor.keys.identityPublicKey),
    ]) {
      expect(attempt).toThrow(CryptoError);
    }
  });

  it("keep their author's signature when moved to a new key, files included", () => {
    const doctor = person("doctor");
    const oldKey = generateRecordKey();
    const withFile = { ...note, file: file("11111111-1111-4111-8111-111111111111", 1) };
    const sealed = served(sealVersion(withFile, oldKey, { recordId: "r1", version: 1, keyVersion: 1 }, doctor), "doctor");
    const opened = openSharedVersion("r1", sealed, oldKey, doctor.keys.identityPublicKey);
    expect(opened.document).toEqual(withFile);

    const newKey = generateRecordKey();
    const moved = file("22222222-2222-4222-8222-222222222222", 2);
    const content = reencryptVersion(opened, newKey, { recordId: "r1", version: 1, keyVersion: 2 }, moved);
    const reopened = openSharedVersion("r1", { ...sealed, keyVersion: 2, content }, newKey, doctor.keys.identityPublicKey);
    expect(reopened.document.file).toEqual({ ...moved, size: withFile.file.size, digest: withFile.file.digest });
    expect(reopened.document.resource).toEqual(note.resource);
    // The old key opens nothing of it.
    expect(() => openSharedVersion("r1", { ...sealed, keyVersion: 2, content }, oldKey, doctor.keys.identityPublicKey)).toThrow(CryptoError);
    // A file record cannot be moved without its file, nor a note given one.
    expect(() => reencryptVersion(opened, newKey, { recordId: "r1", version: 1, keyVersion: 2 })).toThrow();
  });
});
