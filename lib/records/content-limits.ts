import "server-only";
import { fromBase64url } from "@/crypto";
import { AppError } from "@/lib/errors";
import { maxContentBytes } from "@/contract/records";

/** version byte, kind byte, 24-byte nonce, 16-byte tag around a padded plaintext. */
const envelopeOverhead = 42;

/**
 * The server cannot read content, but it can insist on its shape: a size limit, and a
 * plaintext padded to a power-of-two bucket, so stored sizes say little about records.
 */
export function checkedContent(content: string): Uint8Array {
  const bytes = fromBase64url(content);
  if (bytes.length > maxContentBytes) {
    throw new AppError("payload-too-large", `A record can hold at most ${maxContentBytes / 1024} KiB of text; attach larger content as a file.`);
  }
  const padded = bytes.length - envelopeOverhead;
  if (padded < 256 || (padded & (padded - 1)) !== 0) {
    throw new AppError("invalid-input", "The record content is not a padded envelope.", {
      fields: [{ path: "content", message: "must be padded to a power-of-two size" }],
    });
  }
  return bytes;
}
