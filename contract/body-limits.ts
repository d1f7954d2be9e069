/**
 * The most bytes each API route reads from a request body: the one place they are declared.
 * Shared by the server (the route wrapper refuses a larger body with 413 before anything
 * parses it: lib/http/route.ts), next.config.ts (how much Next buffers for the proxy) and the
 * browser (which splits work that would not fit: client/records/records.ts). Pure constants, no
 * imports: contract/ is what both sides import.
 */
const KiB = 1024;
const MiB = 1024 * KiB;

export const bodyLimits = {
  /** Every route that declares nothing: sign-in and sign-up, settings, small JSON requests. */
  standard: 64 * KiB,
  /** A CSP violation report batch. */
  cspReport: 16 * KiB,
  /** POST /api/records: a batch of new records (an import), stored all at once. */
  recordsBatch: 24 * MiB,
  /** One record version, a key rotation of one record, a clinician's contribution (content at most 256 KiB, base64url, with wraps). */
  oneRecord: 512 * KiB,
  /** POST /api/records/rotations: a batch of key rotations (each at most one record's content, with its wraps). */
  rotationBatch: 16 * MiB,
  /** The encrypted private bundle. */
  vaultBundle: 512 * KiB,
  /** A grant, or a change to one: a key wrap for every record it lists. */
  grant: 8 * MiB,
  /** Key wraps for records added to "all records" grants. */
  grantWraps: 4 * MiB,
  /** POST /api/links: a SMART Health Link's JWE (at most 8 MiB of text) with its sealed label and settings. */
  shlLink: 8 * MiB + 16 * KiB,
  /** One encrypted file chunk: at most 8 MiB of padded file (contract/records.ts hugeFileChunkSize) plus secretstream's 17 bytes; each upload's exact size is checked against the chunk size it declared. */
  fileChunk: 8 * MiB + 17,
} as const;

export type BodyLimit = (typeof bodyLimits)[keyof typeof bodyLimits];

/** The largest body any route reads. */
export const largestBodyLimit: number = Math.max(...Object.values(bodyLimits));

/**
 * How much of a body Next buffers for the proxy (`experimental.proxyClientMaxBodySize`); it
 * silently cuts bodies there (10 MB by default, which turned a 12 MiB records batch into "not
 * valid JSON"). Larger than every route's limit by more than any one network read (64 KiB),
 * so a body Next cuts short still arrives longer than its route allows and is refused with 413.
 */
export const proxyBodyBufferBytes = largestBodyLimit + MiB;

/** A limit as people read it: "24 MiB", "64 KiB", "1 MiB and 17 bytes". */
export function describeLimit(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
  if (bytes > MiB) return `${Math.floor(bytes / MiB)} MiB and ${bytes % MiB} bytes`;
  return `${bytes} bytes`;
}
