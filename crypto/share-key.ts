import { decodeCanonical, encodeCanonical } from "./canonical";
import { EnvelopeKind, assertKey, checkHeader, protocolVersion } from "./envelope";
import { equalBytes } from "./encoding";
import { CryptoError } from "./errors";
import type { KeyPair } from "./keys";
import { randomBytes } from "./random";
import { guarded, lib } from "./sodium";

/**
 * A grant's share key, sealed to the clinician's certified X25519 key:
 *
 *   version | kind | crypto_box_seal(encodeCanonical("hsc/v1/share-key", [version, kind, grantId, shareKey]))
 *
 * Sealed boxes take no associated data, so the grant id travels inside and is checked on opening.
 */
const label = "hsc/v1/share-key";
const sealOverhead = 48;

export function generateShareKey(): Uint8Array {
  return randomBytes(32);
}

export function sealShareKey(
  shareKey: Uint8Array,
  recipientEncryptionPublicKey: Uint8Array,
  { grantId }: { grantId: string },
): Uint8Array {
  assertKey(shareKey);
  assertKey(recipientEncryptionPublicKey);
  const plain = encodeCanonical(label, [protocolVersion, EnvelopeKind.sealedShareKey, grantId, shareKey]);
  const sealed = guarded("invalid-key", () => lib().crypto_box_seal(plain, recipientEncryptionPublicKey));
  const out = new Uint8Array(2 + sealed.length);
  out[0] = protocolVersion;
  out[1] = EnvelopeKind.sealedShareKey;
  out.set(sealed, 2);
  return out;
}

export function openShareKey(envelope: Uint8Array, recipient: KeyPair, { grantId }: { grantId: string }): Uint8Array {
  checkHeader(envelope, EnvelopeKind.sealedShareKey, 2 + sealOverhead);
  assertKey(recipient.publicKey);
  assertKey(recipient.secretKey);
  const plain = guarded("authentication-failed", () =>
    lib().crypto_box_seal_open(envelope.subarray(2), recipient.publicKey, recipient.secretKey),
  );
  const { label: found, fields } = guarded("authentication-failed", () => decodeCanonical(plain));
  const [version, kind, sealedGrantId, shareKey] = fields;
  if (
    found !== label ||
    fields.length !== 4 ||
    version !== protocolVersion ||
    kind !== EnvelopeKind.sealedShareKey ||
    !(shareKey instanceof Uint8Array) ||
    shareKey.length !== 32
  ) {
    throw new CryptoError("malformed");
  }
  if (typeof sealedGrantId !== "string" || !equalBytes(new TextEncoder().encode(sealedGrantId), new TextEncoder().encode(grantId))) {
    throw new CryptoError("authentication-failed");
  }
  return shareKey;
}
