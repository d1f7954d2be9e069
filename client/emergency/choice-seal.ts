import { fromBase64url, toBase64url, type VaultKey } from "@/crypto";
import { openUnderVaultKey, sealUnderVaultKey } from "../keystore/vault-seal";
import { recordKinds } from "../fhir/kinds";
import { IntegrityError, verified } from "../integrity";
import type { EmergencyChoice } from "../emergency-card/emergency-set";

const maxNamed = 2_000;
const knownKinds: ReadonlySet<string> = new Set(recordKinds.map((entry) => entry.kind));

/**
 * The record id a choice is sealed to. The prefix makes it a name no record can have (record
 * ids are UUIDs), so the server cannot pass a record's content off as a choice, nor one
 * contact's choice as another's.
 */
const sealRecordId = (grantId: string) => `emergency-choice:${grantId}`;

/**
 * Seals the patient's emergency choice (kinds and named records) for the server to keep beside
 * the emergency contact, as a link label is sealed (client/links/make-label.ts): the JSON as
 * record content under a fresh record key, wrapped under the owner wrapping key the vault key
 * derives, both bound to `emergency-choice:<grantId>`. Layout: wrap (74) | content; base64url.
 * Needs cryptoReady(). Does not throw for a choice in its shape.
 */
export function sealEmergencyChoice(choice: EmergencyChoice, grantId: string, vaultKey: VaultKey): string {
  return toBase64url(sealUnderVaultKey(JSON.stringify({ kinds: choice.kinds, recordIds: choice.recordIds }), sealRecordId(grantId), vaultKey));
}

/**
 * Opens what sealEmergencyChoice sealed for this grant, with the same vault key.
 * @throws IntegrityError("decrypt") for another vault's or another grant's seal, or altered bytes; IntegrityError("shape") for anything not a choice
 */
export function openEmergencyChoice(sealed: string, grantId: string, vaultKey: VaultKey): EmergencyChoice {
  const bytes = verified("shape", () => fromBase64url(sealed));
  return parseChoice(openUnderVaultKey(bytes, sealRecordId(grantId), vaultKey));
}

function parseChoice(text: string): EmergencyChoice {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (caught) {
    if (!(caught instanceof SyntaxError)) throw caught;
    throw new IntegrityError("shape");
  }
  const { kinds, recordIds } = (parsed ?? {}) as { kinds?: unknown; recordIds?: unknown };
  const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");
  if (!strings(kinds) || !kinds.every((kind) => knownKinds.has(kind)) || !strings(recordIds) || recordIds.length > maxNamed) {
    throw new IntegrityError("shape");
  }
  return { kinds: kinds as EmergencyChoice["kinds"], recordIds };
}
