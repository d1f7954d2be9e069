import "server-only";
import { randomUUID } from "node:crypto";
import { cryptoReady, fromBase64url, randomBytes, toBase64url } from "@/crypto";
import { hashShlPasscode } from "@/crypto/shl-passcode";
import {
  flagIsLongTerm,
  flagNeedsPasscode,
  linkAccessesMax,
  linksListMax,
  shlLimits,
  type LinkFileUpdate,
  type LinkSummary,
  type NewLink,
} from "@/contract/links";
import { blobStore } from "@/lib/blobs/select-blob-store";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enforceRateLimits } from "@/lib/rate-limit";
import { storageLimits } from "@/lib/records/storage-quota";
import { requireSession } from "@/lib/sessions/current-session";
import { linkLimits } from "./limits";
import { accessesOfLink, insertLink, linksOfOwner, replaceLinkFile, revokeLink, type LinkRow } from "./link-store";

/**
 * The patient's side of SMART Health Links (issue 16): make, list, revoke, read accesses.
 * The server never sees the link's key, the label or the Bundle: only the JWE, its settings
 * and the label sealed under the vault key.
 */

async function asPatient() {
  const session = await requireSession();
  if (session.role !== "patient") throw new AppError("forbidden", "Only patients make links to their records.");
  await cryptoReady();
  const { db } = await getDatabase();
  return { db, userId: session.userId };
}

/** The link URL for a URL segment: `<APP_ORIGIN>/api/shl/<shlId>`. */
export const linkUrl = (shlId: string) => `${config().appOrigin}/api/shl/${shlId}`;

/** The media types a link's JWE may carry (its `cty`): those STU1 viewers read. */
const contentTypes = new Set(["application/fhir+json", "application/smart-health-card"]);

/**
 * The JWE's protected header, checked as far as the server can without the key: direct
 * encryption with A256GCM (STU1 "Encrypting and decrypting files") and a `cty` viewers read.
 * Returns the `cty`. Throws AppError `invalid-input` otherwise.
 */
export function jweContentType(jwe: string): string {
  const refuse = (message: string) => new AppError("invalid-input", message, { fields: [{ path: "jwe", message }] });
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(jwe.slice(0, jwe.indexOf(".")))));
  } catch {
    throw refuse("The JWE's header is not base64url JSON.");
  }
  const { alg, enc, cty } = (header ?? {}) as Record<string, unknown>;
  if (alg !== "dir" || enc !== "A256GCM") throw refuse('The JWE must use alg "dir" and enc "A256GCM".');
  if (typeof cty !== "string" || !contentTypes.has(cty)) throw refuse("The JWE's cty must be application/fhir+json or application/smart-health-card.");
  return cty;
}

const summaryOf = (row: LinkRow): LinkSummary => ({
  id: row.id,
  url: linkUrl(row.shlId),
  flag: row.flag,
  expiresAt: row.expiresAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
  disabled: row.disabledAt !== null,
  opens: row.opens,
  remainingAttempts: row.remainingAttempts,
  throttledUntil: row.throttledUntil?.toISOString() ?? null,
  sealedLabel: toBase64url(row.sealedLabel),
});

/**
 * Makes a link (POST /api/links): a fresh id and a 256-bit URL segment, the passcode hashed
 * (Argon2id) and forgotten, the JWE stored in the blob store (counted toward the account's
 * storage quota). The expiry must lie 15 minutes to 30 days ahead of
 * the server's clock (to five years for a long-term link, flag L or LP). Throws AppError `forbidden` (not a patient), `rate-limited`,
 * `quota-exceeded`, `too-many-uploads`,
 * `invalid-input` (expiry, JWE header), `service-unavailable` (APP_ORIGIN too long for a
 * 128-character link URL).
 */
export async function createMyLink(body: NewLink, now: Date = new Date()): Promise<{ link: LinkSummary }> {
  const { db, userId } = await asPatient();
  await enforceRateLimits(db, [{ rule: linkLimits.createPerAccount, subject: userId }], now);
  const expiresAt = new Date(body.expiresAt);
  const lifetime = expiresAt.getTime() - now.getTime();
  const longest = flagIsLongTerm(body.flag) ? shlLimits.maxLongTermLifetimeMs : shlLimits.maxLifetimeMs;
  if (!(lifetime >= shlLimits.minLifetimeMs - 60_000 && lifetime <= longest + 60_000)) {
    // A minute's grace either side: the browser's clock and the request's travel time.
    const message = flagIsLongTerm(body.flag)
      ? "A long-term link must expire between 15 minutes and five years from now."
      : "A link must expire between 15 minutes and 30 days from now.";
    throw new AppError("invalid-input", message, { fields: [{ path: "expiresAt", message }] });
  }
  const contentType = jweContentType(body.jwe);
  const shlId = toBase64url(randomBytes(32));
  if (linkUrl(shlId).length > shlLimits.urlMaxChars) {
    throw new AppError("service-unavailable", "This server's address is too long for SMART Health Links (their URL may have at most 128 characters).");
  }
  const row = await insertLink(
    db,
    blobStore(db),
    userId,
    {
      id: randomUUID(),
      shlId,
      flag: body.flag,
      passcodeHash: flagNeedsPasscode(body.flag) ? hashShlPasscode(body.passcode!) : null,
      attempts: flagIsLongTerm(body.flag) ? shlLimits.longTermGuesses.lifetimeAttempts : shlLimits.passcodeAttempts,
      expiresAt,
      contentType,
      jwe: new TextEncoder().encode(body.jwe),
      sealedLabel: fromBase64url(body.sealedLabel),
    },
    storageLimits(),
  );
  return { link: summaryOf(row) };
}

/**
 * Replaces the contents of one of the patient's live long-term links (PUT /api/links/{id}):
 * the emergency card's browser re-encrypts the current emergency set under the link's key and
 * sends the JWE and the label sealed again. Throws AppError `forbidden` (not a patient),
 * `not-found` (not theirs, not live, not long-term), `invalid-input` (JWE header),
 * `quota-exceeded`, `too-many-uploads`, `rate-limited`.
 */
export async function updateMyLinkFile(linkId: string, body: LinkFileUpdate): Promise<{ link: LinkSummary }> {
  const { db, userId } = await asPatient();
  await enforceRateLimits(db, [{ rule: linkLimits.updatePerAccount, subject: userId }]);
  const contentType = jweContentType(body.jwe);
  const row = await replaceLinkFile(
    db,
    blobStore(db),
    userId,
    linkId,
    { jwe: new TextEncoder().encode(body.jwe), contentType, sealedLabel: fromBase64url(body.sealedLabel) },
    storageLimits(),
  );
  return { link: summaryOf(row) };
}

/** The patient's links, newest first, revoked and expired ones included (GET /api/links). */
export async function myLinks(): Promise<{ links: LinkSummary[] }> {
  const { db, userId } = await asPatient();
  return { links: (await linksOfOwner(db, userId, linksListMax)).map(summaryOf) };
}

/** Revokes one of the patient's links at once (DELETE /api/links/{id}). Throws AppError `not-found` for anyone else's. */
export async function revokeMyLink(linkId: string): Promise<void> {
  const { db, userId } = await asPatient();
  await revokeLink(db, blobStore(db), userId, linkId);
}

/** Who opened one of the patient's links and who tried a wrong passcode, newest first (GET /api/links/{id}/accesses). */
export async function myLinkAccesses(linkId: string) {
  const { db, userId } = await asPatient();
  const rows = await accessesOfLink(db, userId, linkId, linkAccessesMax);
  return { accesses: rows.map((row) => ({ at: row.at.toISOString(), recipient: row.recipient, outcome: row.outcome })) };
}
