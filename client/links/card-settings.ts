import { recordKinds } from "../fhir/kinds";
import type { RecordKind } from "../fhir/types";

/**
 * What the patient chose for their emergency card, kept only inside the card link's label
 * sealed under their vault key (sealLinkLabel): the server stores it as opaque bytes and
 * cannot tell which kinds or records were chosen, nor the link's key.
 */
export interface CardSettings {
  /** Every record of these kinds is in the emergency set (those added later too). */
  kinds: RecordKind[];
  /** Records named one by one (chart record ids). */
  recordIds: string[];
  /** The link's 32-byte key, base64url (43 characters): the browser needs it to re-encrypt the current set and to print the QR again. */
  key: string;
  /** The name (and, when given, birth date) the Bundle's Patient reveals, as on the card. */
  name: string;
  birthDate: string | null;
  /** Emergency contacts in the patient's own words (printed on the card, never in the link). */
  contacts: string;
  /** Whether the card also prints the patient's named emergency contacts, as their vault names them (never in the link). False on cards sealed before it existed. */
  includeContacts: boolean;
  /** SHA-256 (hex) of what the link carries now (emergencySetDigest): a different digest means the link's file is out of date. */
  digest: string;
}

export const cardLimits = { recordIds: 100, contactsChars: 300, nameChars: 200 } as const;

const knownKinds: ReadonlySet<string> = new Set(recordKinds.map((entry) => entry.kind));
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** The sealed card settings, or null for anything not in their shape (the caller treats that as a damaged label). Does not throw. */
export function parseCardSettings(value: unknown): CardSettings | null {
  if (typeof value !== "object" || value === null) return null;
  const { kinds, recordIds, key, name, birthDate, contacts, digest, includeContacts } = value as Record<string, unknown>;
  if (!isStringArray(kinds) || !kinds.every((kind) => knownKinds.has(kind))) return null;
  if (!isStringArray(recordIds) || recordIds.length > cardLimits.recordIds) return null;
  if (typeof key !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(key)) return null;
  if (typeof name !== "string" || name.length > cardLimits.nameChars) return null;
  if (birthDate !== null && typeof birthDate !== "string") return null;
  if (typeof contacts !== "string" || contacts.length > cardLimits.contactsChars) return null;
  if (typeof digest !== "string" || !/^[0-9a-f]{64}$/.test(digest)) return null;
  return { kinds: kinds as RecordKind[], recordIds, key, name, birthDate, contacts, includeContacts: includeContacts === true, digest };
}
