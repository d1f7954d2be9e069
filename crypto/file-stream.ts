import { EnvelopeKind, assertKey, associatedData, checkHeader, protocolVersion } from "./envelope";
import { CryptoError } from "./errors";
import type { RecordContext } from "./record-content";
import { guarded, lib } from "./sodium";
import { brandKey, type FileKey } from "./key-types";
import { randomBytes } from "./random";
import type { StateAddress } from "libsodium-wrappers-sumo";

/**
 * Files are encrypted with crypto_secretstream_xchacha20poly1305 in fixed-size chunks,
 * so memory stays bounded by the chunk size whatever the file size. The header is
 *
 *   version | kind | u32 chunk size | secretstream header (24 bytes)
 *
 * and every chunk's associated data is encodeCanonical("hsc/v1/file-chunk",
 * [version, kind, chunkSize, recordId, version, keyVersion]), so chunks of another file
 * or record fail. Secretstream itself detects reordered, dropped or repeated chunks;
 * the FINAL tag on the last chunk detects truncation.
 */
export const defaultChunkSize = 64 * 1024;
export const chunkOverhead = 17;
const maxChunkSize = 16 * 1024 * 1024;
const streamHeaderBytes = 24;
export const fileHeaderBytes = 6 + streamHeaderBytes;

function chunkAssociatedData(chunkSize: number, context: RecordContext): Uint8Array {
  return associatedData(EnvelopeKind.fileHeader, [chunkSize, context.recordId, context.version, context.keyVersion]);
}

/**
 * A fresh file key: 32 random bytes, one per file (a re-encrypted file gets a new one).
 * @throws CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function generateFileKey(): FileKey {
  return brandKey<FileKey>(randomBytes(32));
}

export interface FileEncryptor {
  header: Uint8Array;
  chunkSize: number;
  /** Every chunk but the last must be exactly chunkSize bytes; the last may be shorter or empty. */
  encryptChunk(plain: Uint8Array, isLast: boolean): Uint8Array;
}

/**
 * Starts encrypting one file. `header` (30 bytes) is stored beside the chunks; each encrypted chunk is its plaintext plus 17 bytes (chunkOverhead).
 * @param chunkSize bytes of plaintext per chunk, 1 to 16 MiB (64 KiB by default)
 * @throws CryptoError("invalid-key") for a file key that is not 32 bytes; CryptoError("invalid-argument") for a chunk size outside 1 byte to 16 MiB or a context the canonical encoding cannot hold (version numbers must be non-negative safe integers); CryptoError("not-ready") before cryptoReady() has resolved. encryptChunk throws CryptoError("invalid-argument") after the last chunk, for a chunk longer than chunkSize, or for a chunk that is not exactly chunkSize bytes but is not the last
 */
export function createFileEncryptor(fileKey: FileKey, context: RecordContext, chunkSize = defaultChunkSize): FileEncryptor {
  assertKey(fileKey);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > maxChunkSize) throw new CryptoError("invalid-argument");
  const { state, header: streamHeader } = lib().crypto_secretstream_xchacha20poly1305_init_push(fileKey);
  const header = new Uint8Array(fileHeaderBytes);
  header[0] = protocolVersion;
  header[1] = EnvelopeKind.fileHeader;
  new DataView(header.buffer).setUint32(2, chunkSize);
  header.set(streamHeader, 6);
  return encryptorFrom(state, header, chunkSize, context);
}

/**
 * The encryptor of a file already started, from its key and 30-byte header: encrypting the
 * same plaintext chunks again, from the first, gives the same ciphertext byte for byte. An
 * upload resumed after a page reload re-encrypts from the start and sends only the chunks
 * the server lacks (client/records/upload-resume.ts), so every chunk it sends belongs to the
 * stream the stored ones began. libsodium's secretstream state is the same structure on
 * both sides (the subkey HChaCha20(key, header[0..16]), a counter of 1 and the header's
 * last 8 bytes): init_pull on the header gives exactly the state init_push gave.
 * @throws CryptoError("invalid-key") for a file key that is not 32 bytes; what readFileHeader throws; CryptoError("authentication-failed") when libsodium refuses the header; what createFileEncryptor throws for the context
 */
export function resumeFileEncryptor(fileKey: FileKey, header: Uint8Array, context: RecordContext): FileEncryptor {
  assertKey(fileKey);
  const { chunkSize } = readFileHeader(header);
  const state = guarded("authentication-failed", () => lib().crypto_secretstream_xchacha20poly1305_init_pull(header.subarray(6), fileKey));
  return encryptorFrom(state, header.slice(), chunkSize, context);
}

function encryptorFrom(state: StateAddress, header: Uint8Array, chunkSize: number, context: RecordContext): FileEncryptor {
  const sodium = lib();
  const ad = chunkAssociatedData(chunkSize, context);
  const tagMessage = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  const tagFinal = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  let finished = false;
  return {
    header,
    chunkSize,
    encryptChunk(plain, isLast) {
      if (finished) throw new CryptoError("invalid-argument");
      if (plain.length > chunkSize || (!isLast && plain.length !== chunkSize)) throw new CryptoError("invalid-argument");
      finished = isLast;
      return sodium.crypto_secretstream_xchacha20poly1305_push(state, plain, ad, isLast ? tagFinal : tagMessage);
    },
  };
}

/**
 * The 16-byte authentication tag that ends an encrypted chunk. Under one file key and header,
 * chunk k's tag depends on chunks 0..k (secretstream chains every tag into the next chunk's
 * nonce), so an upload resumed after a reload compares tags to know that a chunk it encrypted
 * again is the very chunk the server already holds, without hashing a megabyte.
 * @throws CryptoError("malformed") for bytes shorter than a chunk's overhead (17)
 */
export function encryptedChunkTag(cipher: Uint8Array): Uint8Array {
  if (cipher.length < chunkOverhead) throw new CryptoError("malformed");
  return cipher.slice(cipher.length - 16);
}

export interface FileDecryptor {
  chunkSize: number;
  decryptChunk(cipher: Uint8Array): Uint8Array;
  /** Throws CryptoError("truncated") unless the final chunk was seen. */
  done(): void;
}

/**
 * Reads the chunk size (bytes) from a 30-byte file header without opening anything.
 * @throws CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for another kind, a header that is not 30 bytes, or a chunk size of 0 or above 16 MiB
 */
export function readFileHeader(header: Uint8Array): { chunkSize: number } {
  checkHeader(header, EnvelopeKind.fileHeader, fileHeaderBytes);
  if (header.length !== fileHeaderBytes) throw new CryptoError("malformed");
  const chunkSize = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(2);
  if (chunkSize < 1 || chunkSize > maxChunkSize) throw new CryptoError("malformed");
  return { chunkSize };
}

/**
 * Starts decrypting one file from its 30-byte header; chunks must be given in order, then done() called.
 * @throws CryptoError("invalid-key") for a file key that is not 32 bytes; what readFileHeader throws; CryptoError("authentication-failed") when libsodium refuses the stream header; CryptoError("invalid-argument") for a context the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved. decryptChunk throws CryptoError("authentication-failed") for a chunk that was altered, reordered, repeated, or belongs to another file, record or key, and CryptoError("malformed") for a chunk after the final one, one shorter than 17 or longer than chunkSize + 17 bytes, or a non-final chunk that is not chunkSize bytes; done() throws CryptoError("truncated") unless the final chunk was seen
 */
export function createFileDecryptor(fileKey: FileKey, header: Uint8Array, context: RecordContext): FileDecryptor {
  assertKey(fileKey);
  const { chunkSize } = readFileHeader(header);
  const sodium = lib();
  const state = guarded("authentication-failed", () => sodium.crypto_secretstream_xchacha20poly1305_init_pull(header.subarray(6), fileKey));
  const ad = chunkAssociatedData(chunkSize, context);
  const tagFinal = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  const tagMessage = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  let finished = false;
  return {
    chunkSize,
    decryptChunk(cipher) {
      if (finished) throw new CryptoError("malformed");
      if (cipher.length < chunkOverhead || cipher.length > chunkSize + chunkOverhead) throw new CryptoError("malformed");
      const result = guarded("authentication-failed", () => sodium.crypto_secretstream_xchacha20poly1305_pull(state, cipher, ad));
      if (!result) throw new CryptoError("authentication-failed");
      if (result.tag === tagFinal) finished = true;
      else if (result.tag !== tagMessage || result.message.length !== chunkSize) throw new CryptoError("malformed");
      return result.message;
    },
    done() {
      if (!finished) throw new CryptoError("truncated");
    },
  };
}
