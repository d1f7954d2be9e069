/**
 * The one error model. Services throw AppError with a code; route handlers map codes to
 * HTTP statuses in one place (`httpStatusFor`). Messages are written for the person
 * using the app and must never contain secrets, PHI or internal detail.
 */
export const errorStatus = {
  "invalid-input": 400,
  "invalid-json": 400,
  unauthenticated: 401,
  forbidden: 403,
  "cross-origin-refused": 403,
  /** Sign-up as an administrator without this deployment's enrolment token. */
  "enrolment-refused": 403,
  /** A sensitive action without a passkey assertion made within FRESH_PROOF_MINUTES (lib/auth/fresh-proof.ts). */
  "fresh-proof-required": 403,
  /** A disabled account (lib/admin) trying to sign in or recover. */
  "account-disabled": 403,
  "not-found": 404,
  "method-not-allowed": 405,
  conflict: 409,
  /** A grant of another kind than the route handles: an emergency contact's id sent to a share's revoke or change (lib/grants/grant-kind.ts). */
  "wrong-grant-kind": 409,
  /** An account already has as many unfinished uploads as it may (UNFINISHED_UPLOADS_MAX). */
  "too-many-uploads": 409,
  gone: 410,
  "payload-too-large": 413,
  /** What the account stores, with what it asks to store, would exceed its storage quota. */
  "quota-exceeded": 413,
  "unsupported-media-type": 415,
  "rate-limited": 429,
  internal: 500,
  "service-unavailable": 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = "AppError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { fields?: FieldIssue[]; retryAfterSeconds?: number; limitBytes?: number } = {},
  ) {
    super(message);
  }
}

export function httpStatusFor(code: ErrorCode): number {
  return errorStatus[code];
}

/** The JSON body every error response carries; `limitBytes` with a 413 `payload-too-large`: the route's body limit. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldIssue[]; limitBytes?: number };
}

/**
 * At most this many failing fields go back, each path and message cut to `fieldTextMax`
 * characters: a 20 KB invalid batch once drew a 485 KB answer. An error body stays under
 * about 10 KB whatever was sent.
 */
export const fieldsShownMax = 20;
export const fieldTextMax = 200;

const cut = (text: string) => (text.length > fieldTextMax ? `${text.slice(0, fieldTextMax - 1)}…` : text);

export function errorBody(error: AppError): ErrorBody {
  const fields = error.details.fields ?? [];
  const shown = fields.slice(0, fieldsShownMax).map((field) => ({ path: cut(field.path), message: cut(field.message) }));
  const more = fields.length - shown.length;
  const message = more > 0 ? `${error.message} (${fields.length} problems; the first ${shown.length} are listed.)` : error.message;
  const body: ErrorBody = { error: { code: error.code, message } };
  if (shown.length) body.error.fields = shown;
  if (error.details.limitBytes !== undefined) body.error.limitBytes = error.details.limitBytes;
  return body;
}

/** What an unexpected failure looks like from outside: nothing about its cause. */
export const internalError = () => new AppError("internal", "Something went wrong on our side. Please try again.");
