import { CryptoError } from "./errors";

/**
 * The associated data of the "this device" vault-key wrap: the vault key encrypted with
 * WebCrypto AES-GCM under a non-extractable key kept in the browser's IndexedDB
 * (client/keystore/device-key.ts), for authenticators without PRF.
 *
 *   UTF-8( "hsc/v1/device-wrap" 0x00 userId 0x00 deviceId )
 *
 * Not the canonical encoding: device wraps stored since the first release were bound to
 * exactly these bytes, and changing them would lock those devices out. Ids never contain
 * NUL (they are UUIDs), which keeps the join unambiguous; an id that does is refused.
 * @returns the bytes to pass as AES-GCM `additionalData`
 * @throws CryptoError "invalid-argument" when an id is empty or contains a NUL character
 */
export function deviceWrapAssociatedData(context: { userId: string; deviceId: string }): Uint8Array<ArrayBuffer> {
  for (const id of [context.userId, context.deviceId]) {
    if (typeof id !== "string" || id.length === 0 || id.includes("\u0000")) throw new CryptoError("invalid-argument");
  }
  return new TextEncoder().encode(`hsc/v1/device-wrap\u0000${context.userId}\u0000${context.deviceId}`);
}
