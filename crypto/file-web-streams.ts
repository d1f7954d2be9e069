import { CryptoError } from "./errors";
import { chunkOverhead, createFileDecryptor, createFileEncryptor, defaultChunkSize } from "./file-stream";
import type { RecordContext } from "./record-content";
import type { FileKey } from "./key-types";

/**
 * Re-chunks arbitrary slices into pieces of exactly `size` bytes, holding at most one
 * piece. A full piece is released only once more input arrives, so the last piece
 * (possibly full, possibly empty) is always known to be last.
 */
function rechunk(size: number, emit: (piece: Uint8Array, isLast: boolean) => Uint8Array): TransformStream<Uint8Array, Uint8Array> {
  const buffer = new Uint8Array(size);
  let filled = 0;
  return new TransformStream<Uint8Array, Uint8Array>(
    {
      transform(slice, controller) {
        let offset = 0;
        while (offset < slice.length) {
          if (filled === size) {
            controller.enqueue(emit(buffer, false));
            filled = 0;
          }
          const take = Math.min(size - filled, slice.length - offset);
          buffer.set(slice.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
        }
      },
      flush(controller) {
        controller.enqueue(emit(buffer.subarray(0, filled), true));
      },
    },
    { highWaterMark: 1 },
    { highWaterMark: 1 },
  );
}

/** Encrypts a stream of any size; the header must be stored with the ciphertext. */
export function encryptFileStream(
  plaintext: ReadableStream<Uint8Array>,
  fileKey: FileKey,
  context: RecordContext,
  chunkSize = defaultChunkSize,
): { header: Uint8Array; ciphertext: ReadableStream<Uint8Array> } {
  const encryptor = createFileEncryptor(fileKey, context, chunkSize);
  const ciphertext = plaintext.pipeThrough(rechunk(chunkSize, (piece, isLast) => encryptor.encryptChunk(piece, isLast)));
  return { header: encryptor.header, ciphertext };
}

/** Decrypts a stream; it errors with a CryptoError on any tampering or truncation. */
export function decryptFileStream(
  ciphertext: ReadableStream<Uint8Array>,
  fileKey: FileKey,
  header: Uint8Array,
  context: RecordContext,
): ReadableStream<Uint8Array> {
  const decryptor = createFileDecryptor(fileKey, header, context);
  let sawFinal = false;
  const pieces = rechunk(decryptor.chunkSize + chunkOverhead, (piece, isLast) => {
    const plain = decryptor.decryptChunk(piece);
    if (isLast) {
      decryptor.done();
      sawFinal = true;
    }
    return plain;
  });
  return ciphertext.pipeThrough(pieces).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      flush() {
        if (!sawFinal) throw new CryptoError("truncated");
      },
    }),
  );
}
