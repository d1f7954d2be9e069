import "server-only";
import { and, desc, eq, gt, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { shlAccesses, shlFileTokens, shlLinks } from "@/drizzle/schema";
import type { Database, Executor } from "@/lib/db";
import { appendAudit } from "@/lib/audit/audit-log";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { AppError } from "@/lib/errors";
import { flagIsLongTerm, flagNeedsPasscode, shlLimits, type ShlFlag } from "@/contract/links";
import type { StorageLimits } from "@/lib/records/storage-quota";
import { readJwe, storeJwe } from "./jwe-blobs";

/**
 * The data layer of SMART Health Links (issue 16). Links, their accesses and their `location`
 * tokens; the JWE itself is a blob of the owner's in the blob store (lib/links/jwe-blobs.ts),
 * named by `shl_links.blob_id`, until the link is revoked or disabled (deleted at once) or
 * expires (deleted by the sweeper). Link events join the owner's hash-chained trail with the link's id in
 * the event's `grantId` (the sharing object the event is about) and no actor: whoever opens a
 * link has no account here. The recipient string each opener sent is kept in `shl_accesses`.
 */

/** What the server knows of one link, for the owner's list (never the JWE or the passcode hash). */
export interface LinkRow {
  id: string;
  shlId: string;
  flag: ShlFlag;
  expiresAt: Date;
  createdAt: Date;
  revokedAt: Date | null;
  disabledAt: Date | null;
  opens: number;
  remainingAttempts: number | null;
  /** A long-term passcode link whose window of passcode tries is used up: when it takes passcodes again; null otherwise. */
  throttledUntil: Date | null;
  sealedLabel: Uint8Array;
}

const { perWindow, windowSeconds } = shlLimits.longTermGuesses;
const windowInterval = sql.raw(`interval '${windowSeconds} seconds'`);

const summaryColumns = {
  id: shlLinks.id,
  shlId: shlLinks.shlId,
  flag: shlLinks.flag,
  expiresAt: shlLinks.expiresAt,
  createdAt: shlLinks.createdAt,
  revokedAt: shlLinks.revokedAt,
  disabledAt: shlLinks.disabledAt,
  opens: shlLinks.opens,
  remainingAttempts: shlLinks.remainingAttempts,
  throttledUntil:
    sql<Date | null>`case when ${shlLinks.guessesInWindow} >= ${perWindow} and ${shlLinks.guessWindowStart} + ${windowInterval} > now() then ${shlLinks.guessWindowStart} + ${windowInterval} end`.mapWith(
      (value: string | Date | null) => (value === null ? null : new Date(value)),
    ),
  sealedLabel: shlLinks.sealedLabel,
};

export interface NewLinkRow {
  id: string;
  shlId: string;
  flag: ShlFlag;
  /** Argon2id PHC string for flags P and LP (crypto/shl-passcode.ts); null for U and L. */
  passcodeHash: string | null;
  /** Wrong passcodes a P link accepts over its life; ignored for U. */
  attempts: number;
  expiresAt: Date;
  contentType: string;
  jwe: Uint8Array;
  sealedLabel: Uint8Array;
}

/**
 * Stores the link's JWE in the blob store (counted toward the owner's quota: AppError
 * `quota-exceeded`, `too-many-uploads`), then the link naming it and `link-created` in the
 * owner's trail, in one transaction; the blob goes again if that transaction fails. Returns the stored row.
 */
export async function insertLink(db: Database, blobs: BlobStore, ownerId: string, link: NewLinkRow, limits: StorageLimits): Promise<LinkRow> {
  const blobId = await storeJwe(db, blobs, ownerId, link.jwe, limits);
  try {
    return await insertLinkRow(db, ownerId, link, blobId);
  } catch (error) {
    await blobs.delete([blobId]);
    throw error;
  }
}

async function insertLinkRow(db: Database, ownerId: string, link: NewLinkRow, blobId: string): Promise<LinkRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(shlLinks)
      .values({
        id: link.id,
        ownerId,
        shlId: link.shlId,
        flag: link.flag,
        passcodeHash: flagNeedsPasscode(link.flag) ? link.passcodeHash : null,
        remainingAttempts: flagNeedsPasscode(link.flag) ? link.attempts : null,
        expiresAt: link.expiresAt,
        contentType: link.contentType,
        blobId,
        jweSize: link.jwe.byteLength,
        sealedLabel: link.sealedLabel,
      })
      .returning(summaryColumns);
    await appendAudit(tx, [{ subjectId: ownerId, actorId: ownerId, action: "link-created", grantId: link.id, outcome: "success" }]);
    return row!;
  });
}

/** The owner's links, newest first (at most `limit`), revoked and expired ones included. */
export async function linksOfOwner(db: Executor, ownerId: string, limit: number): Promise<LinkRow[]> {
  return db.select(summaryColumns).from(shlLinks).where(eq(shlLinks.ownerId, ownerId)).orderBy(desc(shlLinks.createdAt), desc(shlLinks.id)).limit(limit);
}

const notFound = () => new AppError("not-found", "No such link.");

/**
 * Revokes one of the owner's links at once: marked revoked, its `location` tokens deleted,
 * `link-revoked` appended, in one transaction (from its commit on the link serves nothing);
 * then its JWE blob is deleted (a crash before that leaves it to `sweepDeadLinks`). Revoking
 * again appends nothing (and deletes a blob a crash left). Throws AppError `not-found` for a
 * link that is not the owner's.
 */
export async function revokeLink(db: Database, blobs: BlobStore, ownerId: string, linkId: string, now: Date = new Date()): Promise<void> {
  const blobId = await db.transaction(async (tx) => {
    const [link] = await tx
      .select({ id: shlLinks.id, revokedAt: shlLinks.revokedAt, blobId: shlLinks.blobId })
      .from(shlLinks)
      .where(and(eq(shlLinks.id, linkId), eq(shlLinks.ownerId, ownerId)))
      .for("update");
    if (!link) throw notFound();
    if (link.revokedAt) return link.blobId;
    await tx.update(shlLinks).set({ revokedAt: now }).where(eq(shlLinks.id, linkId));
    await tx.delete(shlFileTokens).where(eq(shlFileTokens.linkId, linkId));
    await appendAudit(tx, [{ subjectId: ownerId, actorId: ownerId, action: "link-revoked", grantId: linkId, outcome: "success" }], now);
    return link.blobId;
  });
  // The blob's row goes first (the link's blob_id with it: on delete set null), then its bytes.
  if (blobId) await blobs.delete([blobId]);
}

/**
 * Replaces the contents of one of the owner's live long-term (flag L or LP) links: the new JWE
 * is stored as a blob of the owner's (counted toward the quota), then, in one transaction that
 * finds the link still live, the link names it (with its new size and sealed label) and
 * `link-updated` joins the owner's trail; then the old blob is deleted. A `location` token
 * handed out earlier serves the new contents (tokens name the link, not the blob). Returns the
 * stored row. Throws AppError `not-found` for a link that is not the owner's, not live or not
 * long-term (the new blob goes again), and what storing a blob throws.
 */
export async function replaceLinkFile(
  db: Database,
  blobs: BlobStore,
  ownerId: string,
  linkId: string,
  update: { jwe: Uint8Array; contentType: string; sealedLabel: Uint8Array },
  limits: StorageLimits,
  now: Date = new Date(),
): Promise<LinkRow> {
  const blobId = await storeJwe(db, blobs, ownerId, update.jwe, limits);
  let replaced: { row: LinkRow; oldBlobId: string | null };
  try {
    replaced = await db.transaction(async (tx) => {
      const [link] = await tx
        .select({ blobId: shlLinks.blobId })
        .from(shlLinks)
        .where(and(eq(shlLinks.id, linkId), eq(shlLinks.ownerId, ownerId), or(eq(shlLinks.flag, "L"), eq(shlLinks.flag, "LP")), live(now)))
        .for("update");
      if (!link) throw notFound();
      const [row] = await tx
        .update(shlLinks)
        .set({ blobId, jweSize: update.jwe.byteLength, contentType: update.contentType, sealedLabel: update.sealedLabel })
        .where(eq(shlLinks.id, linkId))
        .returning(summaryColumns);
      await appendAudit(tx, [{ subjectId: ownerId, actorId: ownerId, action: "link-updated", grantId: linkId, outcome: "success" }], now);
      return { row: row!, oldBlobId: link.blobId };
    });
  } catch (error) {
    await blobs.delete([blobId]);
    throw error;
  }
  if (replaced.oldBlobId) await blobs.delete([replaced.oldBlobId]);
  return replaced.row;
}

/** One link's accesses, newest first (at most `limit`). Throws AppError `not-found` for a link that is not the owner's. */
export async function accessesOfLink(db: Executor, ownerId: string, linkId: string, limit: number) {
  const [link] = await db
    .select({ id: shlLinks.id })
    .from(shlLinks)
    .where(and(eq(shlLinks.id, linkId), eq(shlLinks.ownerId, ownerId)));
  if (!link) throw notFound();
  return db
    .select({ at: shlAccesses.at, recipient: shlAccesses.recipient, outcome: shlAccesses.outcome })
    .from(shlAccesses)
    .where(eq(shlAccesses.linkId, linkId))
    .orderBy(desc(shlAccesses.at), desc(shlAccesses.id))
    .limit(limit);
}

/** A link that serves: not revoked, not disabled, not expired at `now`, its JWE still held. */
const live = (now: Date) => and(isNull(shlLinks.revokedAt), isNull(shlLinks.disabledAt), gt(shlLinks.expiresAt, now), isNotNull(shlLinks.blobId));

/** What the blind routes need to judge a request for a link (never the JWE); null for an unknown or dead link. */
export interface LiveLink {
  id: string;
  ownerId: string;
  flag: ShlFlag;
  passcodeHash: string | null;
  contentType: string;
  jweSize: number;
  /** The JWE's blob. */
  blobId: string;
}

/** The live link with this URL segment, or null (unknown, revoked, disabled or expired: the routes do not tell these apart). */
export async function liveLinkByShlId(db: Executor, shlId: string, now: Date = new Date()): Promise<LiveLink | null> {
  const [row] = await db
    .select({
      id: shlLinks.id,
      ownerId: shlLinks.ownerId,
      flag: shlLinks.flag,
      passcodeHash: shlLinks.passcodeHash,
      contentType: shlLinks.contentType,
      jweSize: shlLinks.jweSize,
      blobId: shlLinks.blobId,
    })
    .from(shlLinks)
    .where(and(eq(shlLinks.shlId, shlId), live(now)));
  return row?.blobId ? { ...row, blobId: row.blobId } : null;
}

/**
 * Records one open of a live link by `recipient`: reads the JWE from the blob store, then, in one
 * transaction that finds the link still live (and still naming that blob), counts the open,
 * writes an access row and appends `link-opened` to the owner's trail with the recipient in the
 * chained event. Bytes read before a revocation committed are served only if the link was still
 * live after they were read, so a revoked link is never served, and an open not served is not
 * counted. When the owner replaced a long-term link's file meanwhile (its old blob deleted or no
 * longer named), the new file is read and served instead: a replacement is not a refusal.
 * Returns the JWE bytes, or null when the link is no longer live.
 */
export async function recordOpen(db: Database, blobs: BlobStore, link: LiveLink, recipient: string, now: Date = new Date()): Promise<Uint8Array | null> {
  let blobId: string | null = link.blobId;
  for (let attempt = 0; blobId && attempt < replacementRetries; attempt++) {
    const read: string = blobId;
    const jwe = await readJwe(blobs, read);
    const served =
      jwe &&
      (await db.transaction(async (tx) => {
        const [row] = await tx
          .update(shlLinks)
          .set({ opens: sql`${shlLinks.opens} + 1` })
          .where(and(eq(shlLinks.id, link.id), eq(shlLinks.blobId, read), live(now)))
          .returning({ id: shlLinks.id });
        if (!row) return null;
        await tx.insert(shlAccesses).values({ linkId: link.id, at: now, recipient, outcome: "opened" });
        await appendAudit(tx, [{ subjectId: link.ownerId, actorId: null, action: "link-opened", grantId: link.id, outcome: "success", recipient }], now);
        return jwe;
      }));
    if (served) return served;
    blobId = await currentBlobOf(db, link.id, now);
    if (blobId === read) return null;
  }
  return null;
}

/**
 * How many times a read follows a long-term link's file to its replacement before giving up:
 * an owner's browser replaces it once per change to the emergency set, so more than a couple
 * in the span of one read means something is wrong, not busy.
 */
const replacementRetries = 4;

/** The blob a live link names now, or null when the link no longer serves. */
async function currentBlobOf(db: Executor, linkId: string, now: Date): Promise<string | null> {
  const [row] = await db
    .select({ blobId: shlLinks.blobId })
    .from(shlLinks)
    .where(and(eq(shlLinks.id, linkId), live(now)));
  return row?.blobId ?? null;
}

/**
 * Spends one of a P link's wrong-passcode allowances. One atomic UPDATE … WHERE
 * remaining_attempts > 0 RETURNING, so parallel wrong passcodes are serialised by the row's
 * lock and never spend more than the link had; the one that spends the last disables the link
 * and drops its tokens, and after the commit its JWE blob (a crash before that leaves it to
 * `sweepDeadLinks`). With the access row and `link-passcode-refused` in the same
 * transaction. Returns the attempts left, or null when nothing was left to spend (or the
 * link is no longer live): the caller answers 404 then.
 */
export async function spendPasscodeAttempt(
  db: Database,
  blobs: BlobStore,
  link: LiveLink,
  recipient: string,
  now: Date = new Date(),
  options: { windowUsedUp?: boolean } = {},
): Promise<number | null> {
  const remaining = await db.transaction(async (tx) => {
    const left = sql`${shlLinks.remainingAttempts} - 1`;
    const [row] = await tx
      .update(shlLinks)
      .set({
        remainingAttempts: left,
        disabledAt: sql`case when ${left} = 0 then ${now.toISOString()}::timestamptz else null end`,
      })
      .where(and(eq(shlLinks.id, link.id), gt(shlLinks.remainingAttempts, 0), live(now)))
      .returning({ remainingAttempts: shlLinks.remainingAttempts });
    if (!row) return null;
    const remaining = row.remainingAttempts ?? 0;
    if (remaining === 0) await tx.delete(shlFileTokens).where(eq(shlFileTokens.linkId, link.id));
    await tx.insert(shlAccesses).values({ linkId: link.id, at: now, recipient, outcome: "wrong-passcode" });
    await appendAudit(
      tx,
      [
        { subjectId: link.ownerId, actorId: null, action: "link-passcode-refused", grantId: link.id, outcome: "denied", recipient },
        // These raise the owner's notices (contract/notices.ts): the link stopped, or is slowed for a window.
        ...(remaining === 0
          ? [{ subjectId: link.ownerId, actorId: null, action: "link-disabled" as const, grantId: link.id, outcome: "success" as const }]
          : []),
        ...(options.windowUsedUp && remaining > 0
          ? [{ subjectId: link.ownerId, actorId: null, action: "link-passcode-throttled" as const, grantId: link.id, outcome: "success" as const }]
          : []),
      ],
      now,
    );
    return remaining;
  });
  if (remaining === 0) await blobs.delete([link.blobId]);
  return remaining;
}

/** A claimed passcode try of a long-term link: the window it counts in, and whether it was the window's last. */
export interface ClaimedTry {
  windowStart: Date;
  lastOfWindow: boolean;
}

/**
 * Claims one passcode try of a live long-term passcode link (LP) before the passcode is
 * checked: one atomic UPDATE counts it in the link's current window (a new window begins when
 * the last one is over) unless the window already holds `perWindow` tries, so parallel
 * requests never get more passcodes checked than the window allows. Returns the claimed try,
 * `{ retryAfterSeconds }` when the window is used up (the caller answers 429 and checks no
 * passcode), or null when the link is no longer live. A try whose passcode was right is given
 * back (`returnPasscodeTry`): only wrong passcodes use up a window.
 */
export async function claimPasscodeTry(db: Executor, linkId: string, now: Date = new Date()): Promise<ClaimedTry | { retryAfterSeconds: number } | null> {
  const nowAt = sql`${now.toISOString()}::timestamptz`;
  const windowOver = sql`(${shlLinks.guessWindowStart} is null or ${shlLinks.guessWindowStart} + ${windowInterval} <= ${nowAt})`;
  const [claimed] = await db
    .update(shlLinks)
    .set({
      guessWindowStart: sql`case when ${windowOver} then ${nowAt} else ${shlLinks.guessWindowStart} end`,
      guessesInWindow: sql`case when ${windowOver} then 1 else ${shlLinks.guessesInWindow} + 1 end`,
    })
    .where(and(eq(shlLinks.id, linkId), live(now), or(windowOver, sql`${shlLinks.guessesInWindow} < ${perWindow}`)))
    .returning({ windowStart: shlLinks.guessWindowStart, tries: shlLinks.guessesInWindow });
  if (claimed?.windowStart) return { windowStart: claimed.windowStart, lastOfWindow: claimed.tries >= perWindow };
  const [full] = await db
    .select({ windowStart: shlLinks.guessWindowStart })
    .from(shlLinks)
    .where(and(eq(shlLinks.id, linkId), live(now)));
  if (!full?.windowStart) return null;
  return { retryAfterSeconds: Math.max(1, Math.ceil((full.windowStart.getTime() + windowSeconds * 1000 - now.getTime()) / 1000)) };
}

/** Gives back a try `claimPasscodeTry` claimed, when its passcode was right (only in the window it was claimed in). */
export async function returnPasscodeTry(db: Executor, linkId: string, claimed: ClaimedTry): Promise<void> {
  await db
    .update(shlLinks)
    .set({ guessesInWindow: sql`greatest(${shlLinks.guessesInWindow} - 1, 0)` })
    .where(and(eq(shlLinks.id, linkId), eq(shlLinks.guessWindowStart, claimed.windowStart)));
}

/** Whether a link is slowed per window rather than stopped by wrong passcodes (the long-term passcode links, LP). */
export const slowedNotStopped = (flag: ShlFlag) => flagIsLongTerm(flag) && flagNeedsPasscode(flag);

/** A P link's wrong passcodes left (for a request that sent none: nothing is spent), or null when it is no longer live. */
export async function remainingAttemptsOf(db: Executor, linkId: string, now: Date = new Date()): Promise<number | null> {
  const [row] = await db
    .select({ remainingAttempts: shlLinks.remainingAttempts })
    .from(shlLinks)
    .where(and(eq(shlLinks.id, linkId), live(now)));
  return row?.remainingAttempts ?? null;
}

/** Stores a `location` token (its SHA-256, never the token) for a live link, valid until `expiresAt`. */
export async function insertFileToken(db: Executor, linkId: string, tokenHash: Uint8Array, expiresAt: Date): Promise<void> {
  await db.insert(shlFileTokens).values({ tokenHash, linkId, expiresAt });
}

/**
 * The JWE a `location` token serves: null when the token is unknown or expired, or its link no
 * longer live. The link is found live again after its bytes are read, so a revocation that
 * commits while they are read is never served; a replacement of the file that commits while
 * they are read is followed to the new file.
 */
export async function jweByFileToken(db: Executor, blobs: BlobStore, tokenHash: Uint8Array, now: Date = new Date()): Promise<Uint8Array | null> {
  const blobOfToken = async () => {
    const [row] = await db
      .select({ blobId: shlLinks.blobId })
      .from(shlFileTokens)
      .innerJoin(shlLinks, eq(shlLinks.id, shlFileTokens.linkId))
      .where(and(eq(shlFileTokens.tokenHash, tokenHash), gt(shlFileTokens.expiresAt, now), live(now)));
    return row?.blobId ?? null;
  };
  let blobId = await blobOfToken();
  for (let attempt = 0; blobId && attempt < replacementRetries; attempt++) {
    const jwe = await readJwe(blobs, blobId);
    const after = await blobOfToken();
    if (jwe && after === blobId) return jwe;
    // The same blob unreadable while still named is gone for good; a different one is the owner's replacement.
    if (after === blobId) return null;
    blobId = after;
  }
  return null;
}

/**
 * Deletes what dead links no longer need: the JWE blobs of links expired at `now` (revoked and
 * disabled ones lost theirs at once, unless a crash came between their commit and the blob's
 * deletion: those go here too) and expired `location` tokens. Safe on every instance at once.
 * Returns how many links lost their blob and how many tokens went.
 */
export async function sweepDeadLinks(db: Executor, blobs: BlobStore, now: Date = new Date()): Promise<{ links: number; tokens: number }> {
  const dead = await db
    .select({ blobId: shlLinks.blobId })
    .from(shlLinks)
    .where(and(isNotNull(shlLinks.blobId), or(lte(shlLinks.expiresAt, now), isNotNull(shlLinks.revokedAt), isNotNull(shlLinks.disabledAt))));
  const links = dead.map((row) => row.blobId!);
  await blobs.delete(links);
  const tokens = await db.delete(shlFileTokens).where(lte(shlFileTokens.expiresAt, now)).returning({ linkId: shlFileTokens.linkId });
  return { links: links.length, tokens: tokens.length };
}
