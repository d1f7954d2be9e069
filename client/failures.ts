import { isCryptoError } from "@/crypto";
import { ApiError, isAccessEnded } from "./transport/api";
import { isIntegrityError } from "./integrity";
import { isRollback } from "./keystore/rollback-guard";
import { isBrowserStorageError, type BrowserStorageError } from "./records/held-blob";
import { isDownloadNotStartedError, type DownloadNotStartedError } from "./records/streamed-download";

/**
 * Why something the person asked for failed, in the kinds their message must tell apart:
 * - "access-ended": the server refused because the sharing ended (403/404/410);
 * - "integrity": the browser's own checks failed (a CryptoError: altered or damaged data, a
 *   bad signature; or a rolled-back copy): an IntegrityError (client/integrity.ts), or a
 *   CryptoError not yet reported as one. Only this kind may be worded as tampering;
 * - "unreachable": no answer (connection) or a server fault, worth trying again;
 * - "refused": any other refusal, whose server message says why; a rate limit (429) too,
 *   since its message says how long to wait ("Try again in 9 minutes"), which no caller's
 *   words for a lost connection can.
 * - "browser-limit": the browser could not hold what the page made for it (BrowserStorageError,
 *   client/records/held-blob.ts), or did not start a streamed download (DownloadNotStartedError,
 *   client/records/streamed-download.ts), whose message says so.
 * Anything else is a programming error: `failureKind` returns null and callers rethrow it.
 */
export type FailureKind = "access-ended" | "integrity" | "unreachable" | "refused" | "browser-limit";

export function failureKind(error: unknown): FailureKind | null {
  if (isIntegrityError(error) || isCryptoError(error)) return "integrity";
  if (isAccessEnded(error)) return "access-ended";
  if (isBrowserStorageError(error) || isDownloadNotStartedError(error)) return "browser-limit";
  if (error instanceof ApiError) return error.status === 0 || error.status >= 500 ? "unreachable" : "refused";
  return null;
}

/**
 * The message for a failure, from the caller's words for each kind (a refusal's own message
 * from the server). A programming error is not swallowed as one of these: it is thrown again
 * outside the caller's catch (reaching the page's error reporting), and the person is told
 * plainly that the page failed, never that their data was tampered with.
 */
export function describeFailure(error: unknown, words: { accessEnded: string; integrity: string; unreachable?: string }): string {
  const kind = failureKind(error);
  switch (kind) {
    case "access-ended":
      return words.accessEnded;
    case "integrity":
      return isRollback(error) ? error.message : words.integrity;
    case "unreachable":
      return words.unreachable ?? "Could not reach Health Safe Cloud. Check your connection and try again.";
    case "refused":
      return (error as ApiError).message;
    case "browser-limit":
      return (error as BrowserStorageError | DownloadNotStartedError).message;
    default:
      reportBug(error);
      return "Something went wrong in this page. Please reload it and try again.";
  }
}

/** Throws `error` outside the caller's stack, so a bug reaches the page's error reporting while the page goes on. */
function reportBug(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}

/**
 * For a catch that goes on the same way whatever failed (a best-effort step, a list that could
 * not load): a failure of a kind the person can be told about passes quietly; a bug is
 * reported (thrown outside the caller's stack) before the caller goes on.
 */
export function reportIfBug(error: unknown): void {
  if (failureKind(error) === null) reportBug(error);
}
