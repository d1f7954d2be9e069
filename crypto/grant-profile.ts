import { EnvelopeKind, nonceBytes, decryptEnvelope, encryptEnvelopeWithNonce } from "./envelope";
import { fromUtf8, utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { padToSize, unpadBucket } from "./padding";
import { randomBytes } from "./random";
import type { ShareKey } from "./key-types";

/**
 * What a patient chooses to tell one clinician about themselves (the name they want that
 * clinician to see and, if they choose, their date of birth), encrypted under the grant's
 * share key and bound to the grant. Padded to one size, 1 KiB, that every name of up to 200
 * characters and any birth date fit in whatever its script, so its length does not give the
 * name's length or alphabet away, nor whether a birth date was revealed.
 */
export interface GrantProfile {
  displayName: string;
  /**
   * The date of birth as the patient chose to reveal it, a FHIR R4 `date` (Patient.birthDate):
   * "YYYY", "YYYY-MM" or "YYYY-MM-DD", never a made-up day. Absent: not revealed (and absent
   * from the sealed JSON, so a profile without it seals exactly as before it existed).
   */
  birthDate?: string;
}

/** FHIR R4 `date` (a year, a year and month, or a full date), with months and days in range. */
const birthDatePattern = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

/**
 * Whether `value` is a FHIR R4 `date` a grant profile takes as a birth date ("1957", "1957-07",
 * "1957-07-06"; not a day the month does not have). Does not throw.
 */
export function isRevealableBirthDate(value: string): boolean {
  if (!birthDatePattern.test(value)) return false;
  if (value.length < 10) return true;
  const [year, month, day] = value.split("-").map(Number) as [number, number, number];
  // Date.UTC rolls 31 April over into May: the round trip catches a day the month does not have.
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
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
 * @throws CryptoError "malformed" for an empty name, one longer than 200 UTF-16 units, a birth
 *   date that is not a FHIR date (see `isRevealableBirthDate`), or JSON that does not fit 1 KiB
 */
export function encryptGrantProfile(
  profile: GrantProfile,
  shareKey: ShareKey,
  context: { grantId: string },
  nonce: Uint8Array = randomBytes(nonceBytes),
): Uint8Array {
  const name = profile.displayName.trim();
  if (name.length === 0 || name.length > maxNameLength) throw new CryptoError("malformed");
  const birthDate = profile.birthDate?.trim();
  if (birthDate !== undefined && !isRevealableBirthDate(birthDate)) throw new CryptoError("malformed");
  // Without a birth date the JSON is exactly what profiles held before one could be revealed.
  const plain = utf8(JSON.stringify(birthDate === undefined ? { displayName: name } : { displayName: name, birthDate }));
  if (plain.length >= profileSize) throw new CryptoError("malformed");
  return encryptEnvelopeWithNonce(EnvelopeKind.grantProfile, shareKey, padToSize(plain, profileSize), [context.grantId], nonce);
}

/**
 * Opens a grant profile (1 KiB, or a power-of-two bucket of at least 256 bytes from before),
 * with its birth date when one was revealed.
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
  const { displayName, birthDate } = (parsed ?? {}) as { displayName?: unknown; birthDate?: unknown };
  if (typeof displayName !== "string" || displayName.length === 0 || displayName.length > maxNameLength) throw new CryptoError("malformed");
  if (birthDate === undefined) return { displayName };
  if (typeof birthDate !== "string" || !isRevealableBirthDate(birthDate)) throw new CryptoError("malformed");
  return { displayName, birthDate };
}
