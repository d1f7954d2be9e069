import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCanonical, encodeCanonical } from "./canonical";
import { fromBase64, fromBase64url, fromHex } from "./encoding";
import { CryptoError, isCryptoError } from "./errors";
import { createFileDecryptor, createFileEncryptor, fileHeaderBytes } from "./file-stream";
import { decryptGrantProfile, encryptGrantProfile } from "./grant-profile";
import { signKeyCertificate, verifyKeyCertificate } from "./key-certificate";
import { generateEncryptionKeyPair, generateIdentityKeyPair } from "./keys";
import { padToBucket, unpadBucket } from "./padding";
import { commitRecordDocument, encodeRecordBody, generateCommitmentKey, verifyRecordBody } from "./record-body";
import { decryptRecordContent, encryptRecordContent, generateRecordKey } from "./record-content";
import { unwrapRecordKey, wrapRecordKey } from "./record-key-wrap";
import { decodeRecoveryKey, encodeRecoveryKey, generateRecoveryKey } from "./recovery-key";
import { parseSafetyCodePayload, parseShareCode, safetyCode, shareCode } from "./safety-code";
import { openRecordKeySealedToOwner, openShareKey, sealRecordKeyToOwner, sealShareKey } from "./share-key";
import { signCanonical, verifyCanonical } from "./signature";
import { anyKey } from "./test-helpers";
import { cryptoReady } from "./sodium";
import { decryptPrivateBundle, encryptPrivateBundle, unwrapVaultKey, wrapVaultKey } from "./vault";

// The decoders are listed (and keys made) while the tests are collected, before any hook runs.
await cryptoReady();

/**
 * Every decoder and verifier in crypto/, fed what a hostile server or a careless paste could
 * send: arbitrary bytes or text, and genuine inputs with random bytes changed, cut or added.
 * Each must refuse with a CryptoError (so callers have one thing to catch), never crash with
 * another error, and never accept.
 */
interface Decoder<Input> {
  name: string;
  genuine: () => Input;
  decode: (input: Input) => unknown;
}

function refusal(decode: () => unknown): boolean {
  try {
    decode();
  } catch (error) {
    if (isCryptoError(error)) return true;
    throw error;
  }
  return false;
}

const identity = () => generateIdentityKeyPair();
const userId = "3f0c9a52-5a8e-4c1e-9a57-2f7f6c0f8b11";

function byteDecoders(): Array<Decoder<Uint8Array>> {
  const key = generateRecordKey();
  const recipient = generateEncryptionKeyPair();
  const signer = identity();
  const recordContext = { recordId: userId, version: 1, keyVersion: 1 };
  const fileEncryptor = createFileEncryptor(anyKey(key), recordContext, 16);
  const fileChunk = fileEncryptor.encryptChunk(new Uint8Array([1, 2, 3]), true);
  const certificate = { userId, role: "doctor" as const, encryptionPublicKey: recipient.publicKey, createdAt: 1_700_000_000_000 };
  const commitmentKey = generateCommitmentKey();
  const document = new Uint8Array([123, 125]);
  const commitment = commitRecordDocument(commitmentKey, recordContext, document);
  return [
    {
      name: "record body checked against its commitment",
      genuine: () => encodeRecordBody({ commitmentKey, document, access: new Uint8Array([1]) }),
      // The access part is outside the commitment by design (a rotation replaces it): only the rest is damaged.
      decode: (bytes) => {
        const body = verifyRecordBody(bytes, commitment, recordContext);
        if (body.access.length !== 1 || body.access[0] !== 1) throw new CryptoError("malformed");
      },
    },
    { name: "canonical encoding", genuine: () => encodeCanonical("hsc/v1/test", ["a", 1, new Uint8Array([1, 2])]), decode: (bytes) => decodeCanonical(bytes) },
    {
      name: "record content",
      genuine: () => encryptRecordContent(new Uint8Array([1, 2, 3]), key, recordContext),
      decode: (bytes) => decryptRecordContent(bytes, key, recordContext),
    },
    { name: "bucket padding", genuine: () => padToBucket(new Uint8Array([9, 9])), decode: (bytes) => unpadBucket(bytes) },
    {
      name: "record key wrap",
      genuine: () => wrapRecordKey(key, anyKey(key), { recordId: userId, keyVersion: 1, grantId: "owner" }),
      decode: (bytes) => unwrapRecordKey(bytes, anyKey(key), { recordId: userId, keyVersion: 1, grantId: "owner" }),
    },
    {
      name: "vault key wrap",
      genuine: () => wrapVaultKey(anyKey(key), anyKey(key), { userId, methodId: "recovery" }),
      decode: (bytes) => unwrapVaultKey(bytes, anyKey(key), { userId, methodId: "recovery" }),
    },
    {
      name: "private bundle",
      genuine: () =>
        encryptPrivateBundle({ identitySecretKey: signer.secretKey, encryptionSecretKey: recipient.secretKey, extra: new Uint8Array([1]) }, anyKey(key), {
          userId,
        }),
      decode: (bytes) => decryptPrivateBundle(bytes, anyKey(key), { userId }),
    },
    {
      name: "sealed share key",
      genuine: () => sealShareKey(anyKey(key), recipient.publicKey, { grantId: userId }),
      decode: (bytes) => openShareKey(bytes, recipient, { grantId: userId }),
    },
    {
      name: "record key sealed to its owner",
      genuine: () => sealRecordKeyToOwner(key, recipient.publicKey, { recordId: userId, keyVersion: 1 }),
      decode: (bytes) => openRecordKeySealedToOwner(bytes, recipient, { recordId: userId, keyVersion: 1 }),
    },
    {
      name: "grant profile",
      genuine: () => encryptGrantProfile({ displayName: "P" }, anyKey(key), { grantId: userId }),
      decode: (bytes) => decryptGrantProfile(bytes, anyKey(key), { grantId: userId }),
    },
    {
      name: "key certificate",
      genuine: () => signKeyCertificate(certificate, signer.secretKey),
      decode: (bytes) => verifyKeyCertificate(bytes, signer.publicKey, { userId }),
    },
    {
      name: "canonical signature",
      genuine: () => signCanonical("hsc/v1/test", ["x"], signer.secretKey),
      decode: (bytes) => verifyCanonical("hsc/v1/test", ["x"], bytes, signer.publicKey),
    },
    {
      // The stream header alone is only a nonce: a file is checked when its chunks are read.
      name: "encrypted file (header and its only chunk)",
      genuine: () => Uint8Array.from([...fileEncryptor.header, ...fileChunk]),
      decode: (bytes) => {
        const decryptor = createFileDecryptor(anyKey(key), bytes.subarray(0, fileHeaderBytes), recordContext);
        decryptor.decryptChunk(bytes.subarray(fileHeaderBytes));
        decryptor.done();
      },
    },
  ];
}

function textDecoders(): Array<Decoder<string>> {
  const signer = identity();
  return [
    { name: "base64url", genuine: () => "aGVsbG8", decode: (text) => fromBase64url(text) },
    { name: "base64", genuine: () => "aGVsbG8=", decode: (text) => fromBase64(text) },
    { name: "hex", genuine: () => "00ff10", decode: (text) => fromHex(text) },
    { name: "recovery key", genuine: () => encodeRecoveryKey(generateRecoveryKey()), decode: (text) => decodeRecoveryKey(text) },
    { name: "share code", genuine: () => shareCode(signer.publicKey, userId), decode: (text) => parseShareCode(text) },
    { name: "safety code payload", genuine: () => safetyCode(signer.publicKey, userId).qrPayload, decode: (text) => parseSafetyCodePayload(text) },
  ];
}

/** Random changes to a genuine input: overwritten bytes, a cut, or bytes added. */
const damaged = (genuine: Uint8Array) =>
  fc.oneof(
    fc.tuple(fc.nat(genuine.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
      const copy = genuine.slice();
      copy[at]! ^= xor;
      return copy;
    }),
    fc.nat(genuine.length - 1).map((length) => genuine.slice(0, length)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => Uint8Array.from([...genuine, ...extra])),
  );

describe("every byte decoder refuses hostile bytes with a CryptoError", () => {
  for (const decoder of byteDecoders()) {
    it(decoder.name, () => {
      const genuine = decoder.genuine();
      expect(
        refusal(() => decoder.decode(genuine)),
        "the genuine input must be accepted",
      ).toBe(false);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => refusal(() => decoder.decode(bytes))),
        { numRuns: 300, seed: 7 },
      );
      // Padding and canonical encodings carry no authentication: only their structure can be checked.
      if (decoder.name === "bucket padding" || decoder.name === "canonical encoding") return;
      fc.assert(
        fc.property(damaged(genuine), (bytes) => refusal(() => decoder.decode(bytes))),
        { numRuns: 300, seed: 11 },
      );
    });
  }
});

describe("every text decoder refuses hostile text with a CryptoError", () => {
  for (const decoder of textDecoders()) {
    it(decoder.name, () => {
      expect(
        refusal(() => decoder.decode(decoder.genuine())),
        "the genuine input must be accepted",
      ).toBe(false);
      const hostile = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: "grapheme", maxLength: 60 }),
        fc.constantFrom("", " ", "\u0000", "=", "hsc1..", "-".repeat(500)),
      );
      fc.assert(
        fc.property(hostile, (text) => {
          try {
            decoder.decode(text);
          } catch (error) {
            if (!isCryptoError(error)) throw error;
          }
        }),
        { numRuns: 500, seed: 13 },
      );
    });
  }
});
