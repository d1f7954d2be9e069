import { fromBase64url, randomBytes, toBase64url, toHex, type VaultKey } from "@/crypto";
import { openUnderVaultKey, sealUnderVaultKey } from "../keystore/vault-seal";
import { IntegrityError, verified } from "../integrity";
import { parseCardSettings, type CardSettings } from "./card-settings";

/** What the patient's own list says about a link: its label and what it carries, known only to their browser. */
export interface LinkLabel {
  /** The label the patient gave it (≤ 80 characters), also in the link's `label`. */
  label: string;
  /** What was chosen, in words: "3 records", "Problems, Medications", "My summary (PDF and 12 records)". */
  chosen: string;
  /** Present only on the emergency card's link: the patient's choices and the link's key (client/links/card-settings.ts). */
  card?: CardSettings;
}

export const maxLabelLength = 80;
const maxChosenLength = 300;
const sealIdBytes = 16;

/**
 * The record id the seal is bound to. The prefix makes it a name no record can have (record
 * ids are UUIDs), so the server cannot pass a record's content and owner wrap off as a label.
 */
const sealRecordId = (sealId: Uint8Array) => `link-label:${toHex(sealId)}`;

/**
 * Seals a link's label and selection for the server to keep beside the link (`sealedLabel`),
 * so the patient's list can name their links while the server cannot read them. No new
 * format: exactly as the chart seals a record (crypto/README.md, Envelopes kinds 3 and 4): the
 * JSON `{label, chosen, card?}` as record content (padded to a bucket of at least 256 bytes) under a
 * fresh record key, that key wrapped under the owner wrapping key the vault key derives, both
 * bound to a random seal id. Layout: seal id (16) | wrap (74) | content (kind 3); base64url.
 * Needs cryptoReady().
 * @throws Error for a label over 80 characters or a `chosen` over 300 (the page keeps them shorter)
 */
export function sealLinkLabel(label: LinkLabel, vaultKey: VaultKey): string {
  if (label.label.length > maxLabelLength || label.chosen.length > maxChosenLength) throw new Error("label too long");
  const sealId = randomBytes(sealIdBytes);
  const sealedJson = { label: label.label, chosen: label.chosen, ...(label.card ? { card: label.card } : {}) };
  const body = sealUnderVaultKey(JSON.stringify(sealedJson), sealRecordId(sealId), vaultKey);
  const sealed = new Uint8Array(sealIdBytes + body.length);
  sealed.set(sealId);
  sealed.set(body, sealIdBytes);
  return toBase64url(sealed);
}

/**
 * Opens what sealLinkLabel sealed, with the same vault key.
 * @throws IntegrityError("decrypt") for another vault's seal or altered bytes; IntegrityError("shape") for bytes not in the layout or JSON not of a label
 */
export function openLinkLabel(sealed: string, vaultKey: VaultKey): LinkLabel {
  const bytes = verified("shape", () => fromBase64url(sealed));
  const sealId = bytes.subarray(0, sealIdBytes);
  return parseLabel(openUnderVaultKey(bytes.subarray(sealIdBytes), sealRecordId(sealId), vaultKey));
}

/** The sealed JSON as a LinkLabel. @throws IntegrityError("shape") for anything else (it decrypted, so only a bug or a forgery under the vault key could make it). */
function parseLabel(text: string): LinkLabel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (caught) {
    if (!(caught instanceof SyntaxError)) throw caught;
    throw new IntegrityError("shape");
  }
  const { label, chosen, card } = (parsed ?? {}) as { label?: unknown; chosen?: unknown; card?: unknown };
  if (typeof label !== "string" || typeof chosen !== "string" || label.length > maxLabelLength || chosen.length > maxChosenLength)
    throw new IntegrityError("shape");
  if (card === undefined) return { label, chosen };
  const settings = parseCardSettings(card);
  if (!settings) throw new IntegrityError("shape");
  return { label, chosen, card: settings };
}
