import "server-only";
import { createHash } from "node:crypto";
import { cryptoReady, randomBytes, toBase64url } from "@/crypto";
import { verifyShlPasscode } from "@/crypto/shl-passcode";
import { flagNeedsPasscode, shlLimits, type Manifest } from "@/contract/links";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { blobStore } from "@/lib/blobs/select-blob-store";
import { config } from "@/lib/config";
import { getDatabase, type Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/request-meta";
import { enforceRateLimits, rateLimited } from "@/lib/rate-limit";
import { linkLimits } from "./limits";
import {
  claimPasscodeTry,
  insertFileToken,
  jweByFileToken,
  liveLinkByShlId,
  recordOpen,
  remainingAttemptsOf,
  returnPasscodeTry,
  slowedNotStopped,
  spendPasscodeAttempt,
  type LiveLink,
} from "./link-store";

/**
 * The blind side of SMART Health Links (STU1): what any viewer, anywhere, gets for a link
 * URL. No session is read and no cookie set; the caller is known only by its address (for the
 * rate limit) and the recipient string it sends. Every link that does not serve (unknown id,
 * malformed id, revoked, expired, disabled after 10 wrong passcodes, or asked with the wrong
 * method for its flag) gets one and the same 404.
 */

const segment = /^[A-Za-z0-9_-]{43}$/;

/** The one answer for every link that does not serve. */
export const noSuchLink = () => new AppError("not-found", "This link does not exist or is no longer shared.");

const joseResponse = (jwe: Uint8Array) =>
  new Response(jwe as Uint8Array<ArrayBuffer>, { status: 200, headers: { "content-type": "application/jose", "cache-control": "no-store" } });

/** The database and the caller's address (its rate-limit key) for a blind request. */
async function callerOf(request: Request): Promise<Caller> {
  await cryptoReady();
  const { db } = await getDatabase();
  return { db, blobs: blobStore(db), address: clientAddress(request) };
}

/** Who asks, as far as the blind routes know: an address. The functions below take it with the database and blob store, for tests. */
export interface Caller {
  db: Database;
  blobs: BlobStore;
  address: string;
}

async function counted({ db, address }: Caller) {
  await enforceRateLimits(db, [{ rule: linkLimits.openPerAddress, subject: address }]);
  return db;
}

/**
 * GET /api/shl/{shlId}?recipient=… for a U link: the JWE as `application/jose`, the open
 * counted and logged in the owner's trail with the recipient. Throws AppError `not-found`
 * (see above) or `rate-limited`.
 */
export async function openDirectFile(request: Request, shlId: string, recipient: string): Promise<Response> {
  return directFile(await callerOf(request), shlId, recipient);
}

/** `openDirectFile` for a given caller. */
export async function directFile(caller: Caller, shlId: string, recipient: string): Promise<Response> {
  const db = await counted(caller);
  const link = segment.test(shlId) ? await liveLinkByShlId(db, shlId) : null;
  if (!link || link.flag !== "U") throw noSuchLink();
  const jwe = await recordOpen(db, caller.blobs, link, recipient);
  if (!jwe) throw noSuchLink();
  return joseResponse(jwe);
}

/**
 * POST /api/shl/{shlId} for a P, L or LP link (an L link asks no passcode): checks the passcode
 * against its Argon2id hash. A wrong one spends one of the link's lifetime allowances
 * atomically and answers 401 `{ remainingAttempts }` (STU1; a request without a passcode
 * spends nothing). An ordinary P link stops for good on its last (404 from then on). A
 * long-term LP link is slowed instead: a passcode is checked only when a try of the link's
 * window could be claimed first (`claimPasscodeTry`), else 429 with Retry-After; its lifetime
 * allowance is out of reach before it expires. Every passcode also counts toward its address's
 * `passcodePerAddress`. With the right passcode: the manifest, its one file embedded when the
 * JWE is at most `embeddedLengthMax` characters, otherwise as a `location` URL valid for an
 * hour. Throws AppError `not-found` or `rate-limited`.
 */
export async function openManifest(request: Request, shlId: string, body: ManifestRequest): Promise<Manifest | Response> {
  return manifest(await callerOf(request), shlId, body);
}

export interface ManifestRequest {
  recipient: string;
  passcode?: string | undefined;
  embeddedLengthMax?: number | undefined;
}

/** `openManifest` for a given caller. */
export async function manifest(caller: Caller, shlId: string, body: ManifestRequest): Promise<Manifest | Response> {
  const db = await counted(caller);
  const link = segment.test(shlId) ? await liveLinkByShlId(db, shlId) : null;
  if (!link || link.flag === "U") throw noSuchLink();
  // A long-term link without P (the emergency card printed without a passcode) serves its manifest to anyone holding it.
  if (flagNeedsPasscode(link.flag) && !link.passcodeHash) throw noSuchLink();
  if (link.passcodeHash === null) return manifestOf(caller, db, link, body);
  if (body.passcode === undefined) {
    const remaining = await remainingAttemptsOf(db, link.id);
    if (!remaining) throw noSuchLink();
    return invalidPasscode(remaining);
  }
  await enforceRateLimits(db, [{ rule: linkLimits.passcodePerAddress, subject: caller.address }]);
  const claimed = slowedNotStopped(link.flag) ? await claimPasscodeTry(db, link.id) : null;
  if (claimed && !("windowStart" in claimed)) throw slowedDown(claimed.retryAfterSeconds);
  if (!verifyShlPasscode(link.passcodeHash, body.passcode)) {
    const remaining = await spendPasscodeAttempt(db, caller.blobs, link, body.recipient, new Date(), { windowUsedUp: claimed?.lastOfWindow ?? false });
    if (remaining === null) throw noSuchLink();
    return invalidPasscode(remaining);
  }
  if (claimed) await returnPasscodeTry(db, link.id, claimed);
  return manifestOf(caller, db, link, body);
}

/** The 429 of a long-term link whose window of passcode tries is used up (the Retry-After header says when the next begins). */
const slowedDown = (retryAfterSeconds: number) => rateLimited("Too many wrong passcodes for this link", retryAfterSeconds);

/** The manifest of a live link whose passcode (if any) was right: the open counted and logged, its file embedded or at a `location`. */
async function manifestOf(caller: Caller, db: Database, link: LiveLink, body: ManifestRequest): Promise<Manifest> {
  const jwe = await recordOpen(db, caller.blobs, link, body.recipient);
  if (!jwe) throw noSuchLink();
  if (body.embeddedLengthMax !== undefined && jwe.byteLength <= body.embeddedLengthMax) {
    return { files: [{ contentType: link.contentType, embedded: new TextDecoder().decode(jwe) }] };
  }
  const token = toBase64url(randomBytes(32));
  await insertFileToken(db, link.id, tokenHash(token), new Date(Date.now() + shlLimits.locationLifetimeSeconds * 1000));
  return { files: [{ contentType: link.contentType, location: `${config().appOrigin}/api/shl/files/${token}` }] };
}

/** GET /api/shl/files/{token}: the JWE a manifest's `location` names, while the token and the link live. Throws AppError `not-found` or `rate-limited`. */
export async function openLocation(request: Request, token: string): Promise<Response> {
  return locationFile(await callerOf(request), token);
}

/** `openLocation` for a given caller. */
export async function locationFile(caller: Caller, token: string): Promise<Response> {
  const db = await counted(caller);
  const jwe = segment.test(token) ? await jweByFileToken(db, caller.blobs, tokenHash(token)) : null;
  if (!jwe) throw noSuchLink();
  return joseResponse(jwe);
}

/** Tokens are kept as their SHA-256: a copy of the database serves no file. */
const tokenHash = (token: string) => new Uint8Array(createHash("sha256").update(token).digest());

const invalidPasscode = (remainingAttempts: number) => Response.json({ remainingAttempts }, { status: 401, headers: { "cache-control": "no-store" } });
