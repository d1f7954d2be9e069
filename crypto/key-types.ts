import { assertKey } from "./envelope";

/**
 * Branded key types: every symmetric key is 32 bytes, so the type checker alone can keep a
 * record key from being passed where a share key is expected. The brand exists only at
 * compile time (a phantom property, never present at run time); crypto/ functions that
 * make, derive, unwrap or open a key return its branded type, and the functions that use
 * one ask for it.
 */
declare const keyRole: unique symbol;

/** 32 bytes of key material with one job, named by `Role`. */
export type Key<Role extends string> = Uint8Array & { readonly [keyRole]: Role };

/** Opens the private bundle and derives the owner wrapping key and share keys. */
export type VaultKey = Key<"vault">;
/** Wraps the vault key for one unlock method: from a passkey's PRF output (HKDF) or the recovery key. */
export type KeyEncryptionKey = Key<"key-encryption">;
/** Encrypts one record's content (the data-encryption key of a record). */
export type RecordKey = Key<"record">;
/** Encrypts one file's chunks (secretstream). */
export type FileKey = Key<"file">;
/** A grant's key: wraps the grant's record keys and encrypts its profile; sealed to the clinician. */
export type ShareKey = Key<"share">;
/** Wraps the owner's own copy of every record key (derived from the vault key). */
export type OwnerWrappingKey = Key<"owner-wrapping">;
/** What wraps a record key: a grant's share key, or the owner's wrapping key. */
export type RecordWrappingKey = ShareKey | OwnerWrappingKey;
/** The recovery key's 32 random bytes (shown to the person as Crockford base32). */
export type RecoveryKey = Key<"recovery">;

/**
 * Brands 32 bytes made inside crypto/ as a key of the role the caller names.
 * @throws CryptoError("invalid-key") unless the bytes are a Uint8Array of 32 bytes
 */
export function brandKey<K extends Key<string>>(bytes: Uint8Array): K {
  assertKey(bytes);
  return bytes as K;
}

/**
 * A vault key that comes back from outside crypto/: the "this device" wrap, which WebCrypto
 * AES-GCM unwraps (client/keystore/device-key.ts).
 * @throws CryptoError "invalid-key" unless the bytes are 32 long
 */
export function vaultKeyFromBytes(bytes: Uint8Array): VaultKey {
  return brandKey<VaultKey>(bytes);
}

/**
 * A file key read from a record body's access field (where the record key's holder finds
 * it, encrypted with the record).
 * @throws CryptoError "invalid-key" unless the bytes are 32 long
 */
export function fileKeyFromBytes(bytes: Uint8Array): FileKey {
  return brandKey<FileKey>(bytes);
}
