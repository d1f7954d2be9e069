import "server-only";
import { fromBase64url, isPaddedPrivateBundle } from "@/crypto";
import { AppError } from "@/lib/errors";

/**
 * The server cannot open a vault, but it can insist on its shape, as it does for records:
 * a sealed private bundle padded to a power-of-two bucket of 4 KiB to 256 KiB (envelope
 * kind 10), so the stored size says nothing about the name inside and little about the
 * pinned clinicians. The unpadded kind written before is never stored again.
 * @param encoded the bundle as it arrived, base64url
 * @param path the request field, for the error
 * @returns the bundle's bytes
 * @throws AppError "invalid-input" (400) for any other shape
 */
export function checkedBundle(encoded: string, path: string): Uint8Array {
  const bundle = fromBase64url(encoded);
  if (!isPaddedPrivateBundle(bundle)) {
    throw new AppError("invalid-input", "That is not a sealed, padded private bundle.", {
      fields: [{ path, message: "must be a padded private bundle (a power-of-two body of 4 to 256 KiB)" }],
    });
  }
  return bundle;
}
