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

export function parseSafetyCodePayload(text: string): { userId: string; identityPublicKey: Uint8Array } {
  const match = typeof text === "string" ? payloadPattern.exec(text) : null;
  if (!match) throw new CryptoError("malformed");
  const identityPublicKey = fromBase64url(match[2]!);
  if (identityPublicKey.length !== 32) throw new CryptoError("malformed");
  return { userId: match[1]!, identityPublicKey };
}

/** Whether a scanned payload names exactly this user and key (constant-time on the key). */
export function safetyCodeMatches(qrPayload: string, identityPublicKey: Uint8Array, userId: string): boolean {
  let parsed;
  try {
    parsed = parseSafetyCodePayload(qrPayload);
  } catch {
    return false;
  }
  return parsed.userId === userId && equalBytes(parsed.identityPublicKey, identityPublicKey);
}
