import { EnvelopeKind, nonceBytes, decryptEnvelope, encryptEnvelopeWithNonce } from "./envelope";
import { fromUtf8, utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { padToSize, unpadBucket } from "./padding";
import { randomBytes } from "./random";
import type { ShareKey } from "./key-types";

/**
 * What a patient chooses to tell one clinician about themselves (the name they want that
 * clinician to see), encrypted under the grant's share key and bound to the grant. Padded
 * to one size, 1 KiB, that every name of up to 200 characters fits in whatever its script,
 * so its length does not give the name's length or alphabet away.
 */
export interface GrantProfile {
  displayName: string;
}

const maxNameLength = 200;
/**
 * Padded plaintext size in bytes. 200 UTF-16 units take at most 600 bytes of UTF-8 (plus
 * 17 of JSON); only a name made mostly of control characters (6 bytes each in JSON) could
 * overflow it, and it is refused. Profiles sealed before this size were padded to 256-byte
 * or larger power-of-two buckets: they open all the same.
 */
const profileSize = 1024;

/**
 * Seals a grant profile under the grant's share key: `01 09 nonce(24) ct+tag`, always
 * 1,066 bytes (1024 + 42).
 * @throws CryptoError "malformed" for an empty name, one longer than 200 UTF-16 units, or one whose JSON does not fit 1 KiB
 */
export function encryptGrantProfile(
  profile: GrantProfile,
  shareKey: ShareKey,
  context: { grantId: string },
  nonce: Uint8Array = randomBytes(nonceBytes),
): Uint8Array {
  const name = profile.displayName.trim();
  if (name.length === 0 || name.length > maxNameLength) throw new CryptoError("malformed");
  const plain = utf8(JSON.stringify({ displayName: name }));
  if (plain.length >= profileSize) throw new CryptoError("malformed");
  return encryptEnvelopeWithNonce(EnvelopeKind.grantProfile, shareKey, padToSize(plain, profileSize), [context.grantId], nonce);
}

/**
 * Opens a grant profile (1 KiB, or a power-of-two bucket of at least 256 bytes from before).
 * @throws CryptoError "unsupported-version", "malformed" or "authentication-failed"
 */
export function decryptGrantProfile(envelope: Uint8Array, shareKey: ShareKey, context: { grantId: string }): GrantProfile {
  const plain = unpadBucket(decryptEnvelope(EnvelopeKind.grantProfile, shareKey, envelope, [context.grantId]));
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(plain));
  } catch {
    throw new CryptoError("malformed");
  }
  const displayName = (parsed as { displayName?: unknown } | null)?.displayName;
  if (typeof displayName !== "string" || displayName.length === 0 || displayName.length > maxNameLength) throw new CryptoError("malformed");
  return { displayName };
}
