import { EnvelopeKind, nonceBytes, openEnvelope, sealEnvelopeWithNonce } from "./envelope";
import { fromUtf8, utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { padToBucket, unpadBucket } from "./padding";
import { randomBytes } from "./random";

/**
 * What a patient chooses to tell one clinician about themselves (the name they want that
 * clinician to see), encrypted under the grant's share key and bound to the grant. Padded,
 * so its length does not give the name's length away.
 */
export interface GrantProfile {
  displayName: string;
}

const maxNameLength = 200;

export function sealGrantProfile(profile: GrantProfile, shareKey: Uint8Array, context: { grantId: string }, nonce: Uint8Array = randomBytes(nonceBytes)): Uint8Array {
  const name = profile.displayName.trim();
  if (name.length === 0 || name.length > maxNameLength) throw new CryptoError("malformed");
  return sealEnvelopeWithNonce(EnvelopeKind.grantProfile, shareKey, padToBucket(utf8(JSON.stringify({ displayName: name }))), [context.grantId], nonce);
}

export function openGrantProfile(envelope: Uint8Array, shareKey: Uint8Array, context: { grantId: string }): GrantProfile {
  const plain = unpadBucket(openEnvelope(EnvelopeKind.grantProfile, shareKey, envelope, [context.grantId]));
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
