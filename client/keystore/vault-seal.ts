import {
  decryptRecordContent,
  deriveOwnerWrappingKey,
  encryptRecordContent,
  fromUtf8,
  generateRecordKey,
  ownerGrantId,
  unwrapRecordKey,
  utf8,
  wrapRecordKey,
  type VaultKey,
} from "@/crypto";
import { verified } from "../integrity";

// A record-key wrap (kind 4) of a 32-byte key is always 74 bytes (crypto/README.md, Envelopes).
const wrapBytes = 74;

/**
 * Seals text only the vault's owner can open, for the server to keep (a link's label, an
 * emergency choice). No new format: exactly as the chart seals a record (crypto/README.md,
 * Envelopes kinds 3 and 4): the text as record content under a fresh record key, that key
 * wrapped under the owner wrapping key the vault key derives, both bound to `recordId` (a name
 * no record has, so nothing sealed here passes for a record or for another seal).
 * Layout: wrap (74) | content (kind 3). Needs cryptoReady(). Does not throw.
 */
export function sealUnderVaultKey(text: string, recordId: string, vaultKey: VaultKey): Uint8Array {
  const recordKey = generateRecordKey();
  const ownerKey = deriveOwnerWrappingKey(vaultKey);
  try {
    const wrap = wrapRecordKey(recordKey, ownerKey, { recordId, keyVersion: 1, grantId: ownerGrantId });
    const content = encryptRecordContent(utf8(text), recordKey, { recordId, version: 1, keyVersion: 1 });
    const sealed = new Uint8Array(wrap.length + content.length);
    sealed.set(wrap);
    sealed.set(content, wrap.length);
    return sealed;
  } finally {
    recordKey.fill(0);
    ownerKey.fill(0);
  }
}

/**
 * Opens what sealUnderVaultKey sealed to `recordId`, with the same vault key.
 * @throws IntegrityError("decrypt") for another vault's seal, another record id's, or altered bytes
 */
export function openUnderVaultKey(sealed: Uint8Array, recordId: string, vaultKey: VaultKey): string {
  const ownerKey = deriveOwnerWrappingKey(vaultKey);
  try {
    const recordKey = verified("decrypt", () => unwrapRecordKey(sealed.subarray(0, wrapBytes), ownerKey, { recordId, keyVersion: 1, grantId: ownerGrantId }));
    try {
      return fromUtf8(verified("decrypt", () => decryptRecordContent(sealed.subarray(wrapBytes), recordKey, { recordId, version: 1, keyVersion: 1 })));
    } finally {
      recordKey.fill(0);
    }
  } finally {
    ownerKey.fill(0);
  }
}
