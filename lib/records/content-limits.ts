import "server-only";
import { fromBase64url, isPaddedRecordContentSize } from "@/crypto";
import { AppError } from "@/lib/errors";
import { maxContentBytes } from "@/contract/records";

/**
 * The server cannot read content, but it can insist on its shape: a size limit, and a
 * plaintext padded to a power-of-two bucket, so stored sizes say little about records.
 */
export function checkedContent(content: string): Uint8Array {
  const bytes = fromBase64url(content);
  if (bytes.length > maxContentBytes) {
    throw new AppError("payload-too-large", `A record can hold at most ${maxContentBytes / 1024} KiB of text; attach larger content as a file.`);
  }
  if (!isPaddedRecordContentSize(bytes)) {
    throw new AppError("invalid-input", "The record content is not a padded envelope.", {
      fields: [{ path: "content", message: "must be padded to a power-of-two size" }],
    });
  }
  return bytes;
}
