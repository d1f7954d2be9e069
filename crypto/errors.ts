/** Every failure in crypto/ is one of these; none says anything about keys or plaintext. */
export type CryptoErrorCode =
  "not-ready" | "unsupported-version" | "malformed" | "authentication-failed" | "invalid-key" | "invalid-argument" | "checksum-mismatch" | "truncated";

const messages: Record<CryptoErrorCode, string> = {
  "not-ready": "The cryptography library is not initialised; await cryptoReady() first.",
  "unsupported-version": "This data uses a protocol version this app does not support.",
  malformed: "This data is not in the expected format.",
  "authentication-failed": "This data could not be verified: it was altered, or the key or context is wrong.",
  "invalid-key": "A key has the wrong type or length.",
  "invalid-argument": "An argument has the wrong type or value.",
  "checksum-mismatch": "The checksum does not match: a character is probably mistyped.",
  truncated: "This data ends early: part of it is missing.",
};

/**
 * The one error crypto/ throws; `code` says which failure, the message is fixed text. Constructing one does not throw.
 */
export class CryptoError extends Error {
  override readonly name = "CryptoError";

  constructor(readonly code: CryptoErrorCode) {
    // Fixed text only: a message must never echo an input, a key or a library message.
    super(messages[code]);
  }
}

/**
 * Whether `error` is a CryptoError. Does not throw.
 */
export function isCryptoError(error: unknown): error is CryptoError {
  return error instanceof CryptoError;
}
