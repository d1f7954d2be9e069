import { decodeCanonical, encodeCanonical } from "./canonical";
import { EnvelopeKind, assertKey, checkHeader, protocolVersion } from "./envelope";
import { CryptoError } from "./errors";
import { guarded, lib } from "./sodium";

/**
 * Binds a user's X25519 encryption key to their id and role under their Ed25519 identity:
 *
 *   version | kind | u32 body length | body | Ed25519 signature (64 bytes)
 *   body = encodeCanonical("hsc/v1/key-certificate", [userId, role, encryptionPublicKey, createdAt])
 *   signature over encodeCanonical("hsc/v1/key-certificate-signature", [version, kind, body])
 */
export const roles = ["patient", "doctor", "nurse", "admin"] as const;
export type Role = (typeof roles)[number];

export interface KeyCertificate {
  userId: string;
  role: Role;
  encryptionPublicKey: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

const bodyLabel = "hsc/v1/key-certificate";
const signatureLabel = "hsc/v1/key-certificate-signature";

function signedMessage(body: Uint8Array): Uint8Array {
  return encodeCanonical(signatureLabel, [protocolVersion, EnvelopeKind.keyCertificate, body]);
}

/**
 * Signs a key certificate with the user's 64-byte Ed25519 secret key.
 * @returns `version | kind | u32 body length | body | signature (64 bytes)`
 * @throws CryptoError("invalid-key") for an identity secret key that is not 64 bytes or an encryption public key that is not 32; CryptoError("invalid-argument") for an unknown role or a createdAt that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signKeyCertificate(certificate: KeyCertificate, identitySecretKey: Uint8Array): Uint8Array {
  assertKey(identitySecretKey, 64);
  assertKey(certificate.encryptionPublicKey);
  if (!roles.includes(certificate.role)) throw new CryptoError("invalid-argument");
  const body = encodeCanonical(bodyLabel, [certificate.userId, certificate.role, certificate.encryptionPublicKey, certificate.createdAt]);
  const signature = guarded("invalid-key", () => lib().crypto_sign_detached(signedMessage(body), identitySecretKey));
  const out = new Uint8Array(6 + body.length + 64);
  out[0] = protocolVersion;
  out[1] = EnvelopeKind.keyCertificate;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, 6);
  out.set(signature, 6 + body.length);
  return out;
}

/**
 * Returns the certificate only if the identity key signed it and it names the expected
 * user; a key that fails here must never be used.
 * @throws CryptoError("authentication-failed") for a signature that does not verify under the identity key, or a certificate naming another user; CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for another kind, a length that does not match the body length, or a body that is not a certificate (unknown role, key not 32 bytes); CryptoError("invalid-key") for an identity public key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyKeyCertificate(signed: Uint8Array, identityPublicKey: Uint8Array, expected: { userId: string }): KeyCertificate {
  assertKey(identityPublicKey);
  checkHeader(signed, EnvelopeKind.keyCertificate, 6 + 64);
  const bodyLength = new DataView(signed.buffer, signed.byteOffset, signed.byteLength).getUint32(2);
  if (signed.length !== 6 + bodyLength + 64) throw new CryptoError("malformed");
  const body = signed.subarray(6, 6 + bodyLength);
  const signature = signed.subarray(6 + bodyLength);
  const valid = guarded("authentication-failed", () => lib().crypto_sign_verify_detached(signature, signedMessage(body), identityPublicKey));
  if (!valid) throw new CryptoError("authentication-failed");
  const { label, fields } = decodeCanonical(body);
  const [userId, role, encryptionPublicKey, createdAt] = fields;
  if (
    label !== bodyLabel ||
    fields.length !== 4 ||
    typeof userId !== "string" ||
    typeof role !== "string" ||
    !roles.includes(role as Role) ||
    !(encryptionPublicKey instanceof Uint8Array) ||
    encryptionPublicKey.length !== 32 ||
    typeof createdAt !== "number"
  ) {
    throw new CryptoError("malformed");
  }
  if (userId !== expected.userId) throw new CryptoError("authentication-failed");
  return { userId, role: role as Role, encryptionPublicKey, createdAt };
}
