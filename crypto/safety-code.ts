import { encodeCanonical } from "./canonical";
import { equalBytes, fromBase64url, toBase64url } from "./encoding";
import { assertKey } from "./envelope";
import { CryptoError } from "./errors";
import { lib } from "./sodium";

/**
 * The safety code people compare out of band: 60 digits in 12 groups of 5, from a
 * BLAKE2b-512 hash over the user id and identity key (each 5-byte chunk read big-endian,
 * modulo 100000, as Signal does). The QR payload carries the key itself.
 */
const label = "hsc/v1/safety-code";
const payloadPattern = /^hsc-sc:1:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Za-z0-9_-]{43})$/;

export interface SafetyCode {
  digits: string;
  qrPayload: string;
}

/**
 * The 60-digit safety code and QR payload (`hsc-sc:1:<userId>:<base64url key>`) of a user's 32-byte identity key.
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function safetyCode(identityPublicKey: Uint8Array, userId: string): SafetyCode {
  assertKey(identityPublicKey);
  const hash = lib().crypto_generichash(64, encodeCanonical(label, [userId, identityPublicKey]), null);
  const groups: string[] = [];
  for (let index = 0; index < 12; index++) {
    let value = 0;
    for (const byte of hash.subarray(index * 5, index * 5 + 5)) value = value * 256 + byte;
    groups.push(String(value % 100000).padStart(5, "0"));
  }
  return { digits: groups.join(" "), qrPayload: `hsc-sc:1:${userId}:${toBase64url(identityPublicKey)}` };
}

/**
 * Reads a QR payload made by safetyCode.
 * @throws CryptoError("malformed") for anything else (another prefix, a user id that is not a lower-case UUID, a key that is not 43 base64url characters of 32 bytes); CryptoError("not-ready") before cryptoReady() has resolved
 */
export function parseSafetyCodePayload(text: string): { userId: string; identityPublicKey: Uint8Array } {
  const match = typeof text === "string" ? payloadPattern.exec(text) : null;
  if (!match) throw new CryptoError("malformed");
  const identityPublicKey = fromBase64url(match[2]!);
  if (identityPublicKey.length !== 32) throw new CryptoError("malformed");
  return { userId: match[1]!, identityPublicKey };
}

/**
 * Whether a scanned payload names exactly this user and key (constant-time on the key).
 * @throws nothing: an unreadable payload gives false, and so does any call before cryptoReady() (the catch swallows "not-ready")
 */
export function safetyCodeMatches(qrPayload: string, identityPublicKey: Uint8Array, userId: string): boolean {
  let parsed;
  try {
    parsed = parseSafetyCodePayload(qrPayload);
  } catch {
    return false;
  }
  return parsed.userId === userId && equalBytes(parsed.identityPublicKey, identityPublicKey);
}

/**
 * A clinician's share code, for links and QR codes that take a patient straight to them
 * with their key already checked: "hsc1." + user id (16 bytes) + "." + the first 128 bits of
 * the identity key's fingerprint, both base64url. Forging one would take a second preimage
 * of a 128-bit BLAKE2b prefix.
 */
const shareCodePattern = /^hsc1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;
const shareFingerprintBytes = 16;

const shareFingerprint = (identityPublicKey: Uint8Array) =>
  lib()
    .crypto_generichash(32, encodeCanonical("hsc/v1/key-fingerprint", [identityPublicKey]), null)
    .subarray(0, shareFingerprintBytes);

/**
 * The share code of a clinician's 32-byte identity key and UUID.
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("malformed") for a user id that is not a lower-case UUID; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function shareCode(identityPublicKey: Uint8Array, userId: string): string {
  assertKey(identityPublicKey);
  const hex = userId.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new CryptoError("malformed");
  const idBytes = Uint8Array.from(hex.match(/.{2}/g)!, (pair) => parseInt(pair, 16));
  return `hsc1.${toBase64url(idBytes)}.${toBase64url(shareFingerprint(identityPublicKey))}`;
}

/**
 * Reads a share code (surrounding whitespace ignored): the user id as a UUID and the 16-byte fingerprint prefix.
 * @throws CryptoError("malformed") for anything but a share code; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function parseShareCode(text: string): { userId: string; fingerprint: Uint8Array } {
  const match = typeof text === "string" ? shareCodePattern.exec(text.trim()) : null;
  if (!match) throw new CryptoError("malformed");
  const idBytes = fromBase64url(match[1]!);
  const fingerprint = fromBase64url(match[2]!);
  if (idBytes.length !== 16 || fingerprint.length !== shareFingerprintBytes) throw new CryptoError("malformed");
  const hex = [...idBytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return { userId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, fingerprint };
}

/**
 * Whether a share code names exactly this user and identity key.
 * @throws nothing: an unreadable code gives false, and so does any call before cryptoReady() (the catch swallows "not-ready")
 */
export function shareCodeMatches(code: string, identityPublicKey: Uint8Array, userId: string): boolean {
  let parsed;
  try {
    parsed = parseShareCode(code);
  } catch {
    return false;
  }
  return parsed.userId === userId && equalBytes(parsed.fingerprint, shareFingerprint(identityPublicKey));
}
