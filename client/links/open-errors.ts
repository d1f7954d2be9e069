/**
 * Why opening a SMART Health Link failed, in the kinds the viewer words differently:
 * - "bad-link": the text is not a SMART Health Link (or breaks its rules);
 * - "expired": the link's `exp` is in the past (known without fetching anything);
 * - "recipient-needed", "passcode-needed": the person must say who they are, or the passcode;
 * - "wrong-passcode": the server refused the passcode (`remainingAttempts` when it said);
 * - "not-found": the server does not know the link, or no longer serves it (revoked, expired, disabled);
 * - "rate-limited": too many attempts from here for now;
 * - "unreachable": no answer (network, or the server does not allow this page to read it);
 * - "server-error": another refusal or fault of the link's server;
 * - "bad-manifest": the server's answer is not a SMART Health Links manifest or file;
 * - "decrypt": a file did not decrypt and verify under the link's key (altered, or the wrong key);
 * - "bad-content": a file decrypted but is not content this viewer can show (not a FHIR Bundle…).
 */
export type ShlOpenCode =
  | "bad-link"
  | "expired"
  | "recipient-needed"
  | "passcode-needed"
  | "wrong-passcode"
  | "not-found"
  | "rate-limited"
  | "unreachable"
  | "server-error"
  | "bad-manifest"
  | "decrypt"
  | "bad-content";

const messages: Record<ShlOpenCode, string> = {
  "bad-link": "This is not a SMART Health Link. Check that the whole link was copied.",
  expired: "This link has expired. Ask the person who shared it for a new one.",
  "recipient-needed": "Enter your name or clinic: the person who shared this link sees who opened it.",
  "passcode-needed": "This link is protected by a passcode. Enter the passcode you were given.",
  "wrong-passcode": "The passcode is wrong.",
  "not-found": "This link was not found. It may have been revoked or expired, or the address is wrong.",
  "rate-limited": "Too many attempts to open this link. Wait a few minutes and try again.",
  unreachable: "The link's server could not be reached. Check your connection and try again.",
  "server-error": "The link's server could not provide the records. Try again later.",
  "bad-manifest": "The link's server sent something that is not a SMART Health Link's content.",
  decrypt: "The shared records could not be decrypted with this link's key: they were altered, or the link is damaged.",
  "bad-content": "The shared file is not health records this viewer can show.",
};

/** A failure to open a link, worded for the person (fixed text; never the link, key or content). */
export class ShlOpenError extends Error {
  override readonly name = "ShlOpenError";

  constructor(
    readonly code: ShlOpenCode,
    /** For "wrong-passcode": how many attempts the server says are left, when it said. */
    readonly remainingAttempts?: number,
    message: string = messages[code],
  ) {
    super(message);
  }
}

export const isShlOpenError = (error: unknown): error is ShlOpenError => error instanceof ShlOpenError;
