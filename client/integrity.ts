import { isCryptoError, type CryptoError } from "@/crypto";

/**
 * What kind of check failed on data the server sent:
 * - "signature": a signature or statement did not verify, or names the wrong signer;
 * - "decrypt": a ciphertext did not authenticate under its key and context;
 * - "rollback": the server sent an older copy than this browser has already seen;
 * - "wrong-key": a key has the wrong type or length, or is not the one it claims to be;
 * - "shape": an answer is not in the shape the contract (contract/) or protocol declares.
 */
export type IntegrityCode = "signature" | "decrypt" | "rollback" | "wrong-key" | "shape";

const messages: Record<IntegrityCode, string> = {
  signature: "A signature on this data did not verify. It may have been tampered with, so it is not shown.",
  decrypt: "This data could not be decrypted and verified. It may have been altered or damaged, so it is not shown.",
  rollback: "The server sent an older copy than this browser has already seen. It may have been tampered with, so it is not shown.",
  "wrong-key": "This data is not under the key it should be. It may have been tampered with, so it is not shown.",
  shape: "The server's answer is not in the expected form. It may have been tampered with, so it is not shown.",
};

/**
 * The one error for data that failed the browser's own checks: the only failure that may be
 * worded to people as tampering or damage. Every browser `catch` that handles integrity
 * catches this (with `isIntegrityError`) and rethrows anything else, so a programming error
 * reaches the page's error reporting instead of reading as an attack. The message is fixed
 * text for the person (or the caller's, for a rollback naming what was rolled back); it never
 * carries data, keys or a library's message.
 */
export class IntegrityError extends Error {
  override readonly name = "IntegrityError";

  constructor(
    readonly code: IntegrityCode,
    message: string = messages[code],
  ) {
    super(message);
  }
}

export const isIntegrityError = (error: unknown): error is IntegrityError => error instanceof IntegrityError;

/** CryptoError codes that mean the data is bad, not that this code called crypto/ wrongly. */
const dataFaults = new Set<CryptoError["code"]>(["authentication-failed", "malformed", "truncated", "unsupported-version", "invalid-key"]);

/**
 * Runs a check of data the server sent (decrypt, open, verify, decode) and reports a failure of
 * the data as IntegrityError(`code`), or IntegrityError("shape") for bytes that are not in the
 * protocol's layout. A CryptoError that means a caller's mistake (`invalid-argument`,
 * `not-ready`) and every other error are rethrown unchanged: they are bugs.
 *
 * @throws IntegrityError when the data fails; anything `check` throws that is not a data fault.
 */
export function verified<T>(code: IntegrityCode, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw asIntegrity(error, code);
  }
}

/** `verified` for an asynchronous check (a stream, a chain of fetches and checks). */
export async function verifiedAsync<T>(code: IntegrityCode, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    throw asIntegrity(error, code);
  }
}

function asIntegrity(error: unknown, code: IntegrityCode): unknown {
  if (!isCryptoError(error) || !dataFaults.has(error.code)) return error;
  const kind: IntegrityCode =
    error.code === "malformed" || error.code === "truncated" || error.code === "unsupported-version"
      ? "shape"
      : error.code === "invalid-key"
        ? "wrong-key"
        : code;
  return new IntegrityError(kind);
}
