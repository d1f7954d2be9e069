import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { EmergencyState } from "@/contract/emergency";
import { emergencyContacts, grantRecords, grants, keyCertificates, recordKeyWraps, users } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { Database, Transaction } from "@/lib/db";
import { lockOwnedRecords } from "@/lib/db/row-locks";
import { AppError } from "@/lib/errors";
import { changeGrant } from "@/lib/grants/grant-changes";
import { recordsUnderGrant, type GrantWrap } from "@/lib/grants/grant-store";
import { emailQueuing } from "@/lib/notices/email-queuing";
import { recordNotices } from "@/lib/notices/notice-store";
import { endGrant } from "@/lib/records/grant-coverage";

type ContactRow = typeof emergencyContacts.$inferSelect;
type GrantRow = typeof grants.$inferSelect;

const notFound = () => new AppError("not-found", "There is no such emergency contact.");

/**
 * Tells the contact their access changed (approved, refused, ended), in their notice centre and
 * so on their open pages' live stream: the events join the patient's trail, whose notices go to
 * the patient, so this one is recorded for the contact directly, in the same transaction.
 */
const tellContact = (tx: Transaction, contact: ContactRow, now: Date) =>
  recordNotices(
    tx,
    [{ recipientId: contact.contactId, kind: "emergency-answered", actorId: null, grantId: contact.grantId, linkId: null, recordId: null }],
    now,
    emailQueuing(),
  );

/** A new emergency contact as the patient's browser sealed it (contract/emergency.ts), bytes decoded. */
export interface NewEmergencyContact {
  grantId: string;
  contactId: string;
  waitSeconds: number;
  sealedShareKey: Uint8Array;
  statement: Uint8Array;
  signature: Uint8Array;
  sealedProfile: Uint8Array;
  sealedChoice: Uint8Array;
  recordIds: string[];
  wraps: GrantWrap[];
}

/**
 * Where an emergency contact stands at `now`, from the stored request alone: the gate is
 * checked here, at read time, so it opens when the wait ends with nobody signed in.
 */
export function stateOf(contact: Pick<ContactRow, "requestedAt" | "opensAt" | "approvedAt" | "refusedAt">, revokedAt: Date | null, now: Date): EmergencyState {
  if (revokedAt) return "ended";
  if (contact.refusedAt) return "refused";
  if (!contact.requestedAt || !contact.opensAt) return "standby";
  return contact.approvedAt || contact.opensAt <= now ? "open" : "requested";
}

/**
 * Stores an emergency contact: a read-only grant listing the emergency set, one wrap per
 * record at its current key version (no more, no fewer), and the gate, in one transaction.
 * The contact may be any account with a certified key but the patient and a disabled one.
 * Re-sending the same signed contact changes nothing.
 * @throws AppError invalid-input (the patient themselves, an unknown or disabled account, a record not theirs), conflict (another grant with this id; records changed meanwhile)
 */
export async function createEmergencyContact(db: Database, patientId: string, input: NewEmergencyContact): Promise<void> {
  if (input.contactId === patientId) throw new AppError("invalid-input", "You cannot be your own emergency contact.");
  await db.transaction(async (tx) => {
    const [existing] = await tx.select({ patientId: grants.patientId, statement: grants.statement }).from(grants).where(eq(grants.id, input.grantId));
    if (existing) {
      if (existing.patientId === patientId && Buffer.from(existing.statement).equals(Buffer.from(input.statement))) return;
      throw new AppError("conflict", "A different grant with this id already exists.");
    }
    const [contact] = await tx
      .select({ id: users.id })
      .from(users)
      .innerJoin(keyCertificates, and(eq(keyCertificates.userId, users.id), isNull(keyCertificates.supersededAt)))
      .where(and(eq(users.id, input.contactId), isNull(users.disabledAt)));
    if (!contact) throw new AppError("invalid-input", "There is no account with this id that can be an emergency contact.");
    const owned = await lockOwnedRecords(tx, patientId);
    const current = new Map(owned.map((record) => [record.id, record.keyVersion]));
    if (input.recordIds.some((id) => !current.has(id))) throw new AppError("invalid-input", "Only your own records can be in your emergency set.");
    const covered = new Set(input.wraps.map((wrap) => `${wrap.recordId}:${wrap.keyVersion}`));
    const expected = new Set(input.recordIds.map((id) => `${id}:${current.get(id)}`));
    if (covered.size !== input.wraps.length || covered.size !== expected.size || [...expected].some((key) => !covered.has(key))) {
      throw new AppError("conflict", "Your records changed meanwhile. Please try again.");
    }
    await tx.insert(grants).values({
      id: input.grantId,
      patientId,
      clinicianId: input.contactId,
      scope: "records",
      permission: "read",
      expiresAt: null,
      sealedShareKey: input.sealedShareKey,
      statement: input.statement,
      signature: input.signature,
      sealedProfile: input.sealedProfile,
    });
    await tx.insert(emergencyContacts).values({
      grantId: input.grantId,
      patientId,
      contactId: input.contactId,
      waitSeconds: input.waitSeconds,
      sealedChoice: input.sealedChoice,
    });
    if (input.recordIds.length > 0) {
      await tx.insert(grantRecords).values(input.recordIds.map((recordId) => ({ grantId: input.grantId, recordId })));
      await tx.insert(recordKeyWraps).values(input.wraps.map((wrap) => ({ id: randomUUID(), grantId: input.grantId, ...wrap })));
    }
    await appendAudit(tx, [{ subjectId: patientId, actorId: patientId, action: "emergency-contact-named", grantId: input.grantId, outcome: "success" }]);
  });
}

/** The patient's emergency contacts (ended ones too), each with its listed records and state at `now`. */
export async function emergencyContactsOf(db: Database, patientId: string, now: Date = new Date()) {
  const rows = await db
    .select({ contact: emergencyContacts, grant: grants })
    .from(emergencyContacts)
    .innerJoin(grants, eq(grants.id, emergencyContacts.grantId))
    .where(eq(emergencyContacts.patientId, patientId));
  const ids = rows.map((row) => row.grant.id);
  const listed = ids.length ? await db.select().from(grantRecords).where(inArray(grantRecords.grantId, ids)) : [];
  return rows.map(({ contact, grant }) => ({
    contact,
    grant,
    state: stateOf(contact, grant.revokedAt, now),
    recordIds: listed.filter((entry) => entry.grantId === grant.id).map((entry) => entry.recordId),
  }));
}

/** Who named this account their emergency contact, with where each stands at `now`. */
export async function emergencyRolesOf(db: Database, contactId: string, now: Date = new Date()) {
  const rows = await db
    .select({ contact: emergencyContacts, revokedAt: grants.revokedAt })
    .from(emergencyContacts)
    .innerJoin(grants, eq(grants.id, emergencyContacts.grantId))
    .where(eq(emergencyContacts.contactId, contactId));
  return rows.map(({ contact, revokedAt }) => ({ contact, state: stateOf(contact, revokedAt, now) }));
}

/** The row and its grant, locked, if `who` is the patient (or the contact) of it; otherwise not-found. */
async function lockedOf(tx: Transaction, grantId: string, who: { patientId: string } | { contactId: string }) {
  const [row] = await tx
    .select({ contact: emergencyContacts, grant: grants })
    .from(emergencyContacts)
    .innerJoin(grants, eq(grants.id, emergencyContacts.grantId))
    .where(
      and(
        eq(emergencyContacts.grantId, grantId),
        "patientId" in who ? eq(emergencyContacts.patientId, who.patientId) : eq(emergencyContacts.contactId, who.contactId),
      ),
    )
    .for("update");
  if (!row) throw notFound();
  return row;
}

/**
 * Keeps the emergency set current: the patient's next signed revision (records joining, with
 * their wraps; records leaving lose their wraps and are queued for rotation, as grant changes
 * do) and the sealed choice as it now is.
 * @throws AppError not-found, conflict (ended, stale revision, wraps not matching), invalid-input (a record not the patient's)
 */
export async function changeEmergencySet(
  db: Database,
  patientId: string,
  grantId: string,
  change: { revision: number; statement: Uint8Array; signature: Uint8Array; recordIds: string[]; wraps: GrantWrap[]; sealedChoice: Uint8Array },
  now: Date = new Date(),
): Promise<void> {
  const [row] = await db
    .select({ grantId: emergencyContacts.grantId })
    .from(emergencyContacts)
    .where(and(eq(emergencyContacts.grantId, grantId), eq(emergencyContacts.patientId, patientId)));
  if (!row) throw notFound();
  await changeGrant(
    db,
    patientId,
    grantId,
    {
      revision: change.revision,
      scope: "records",
      permission: "read",
      expiresAt: null,
      statement: change.statement,
      signature: change.signature,
      recordIds: change.recordIds,
      wraps: change.wraps,
    },
    now,
  );
  await db.update(emergencyContacts).set({ sealedChoice: change.sealedChoice }).where(eq(emergencyContacts.grantId, grantId));
}

/**
 * The patient answers a request: approving opens it at once; refusing closes it (the contact may
 * ask again, and is told). Answering the same way twice is harmless.
 * @throws AppError not-found; conflict (no request to answer, it ended, or a refusal once the wait ended: end the contact instead)
 */
export async function answerEmergencyRequest(
  db: Database,
  patientId: string,
  grantId: string,
  answer: "approve" | "refuse",
  now: Date = new Date(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const { contact, grant } = await lockedOf(tx, grantId, { patientId });
    const state = stateOf(contact, grant.revokedAt, now);
    if (answer === "approve" && contact.approvedAt && state === "open") return;
    if (answer === "refuse" && state === "refused") return;
    if (state === "open")
      throw new AppError("conflict", "The wait has ended and your contact can read your emergency set. End the emergency contact to cut them off.");
    if (state !== "requested") throw new AppError("conflict", "There is no request waiting for an answer.");
    await tx
      .update(emergencyContacts)
      .set(answer === "approve" ? { approvedAt: now } : { refusedAt: now })
      .where(eq(emergencyContacts.grantId, grantId));
    await appendAudit(tx, [
      {
        subjectId: patientId,
        actorId: patientId,
        action: answer === "approve" ? "emergency-approved" : "emergency-refused",
        grantId,
        outcome: "success",
      },
    ]);
    await tellContact(tx, contact, now);
  });
}

/**
 * Ends an emergency contact as a revoke ends a grant: the share key and every wrap deleted and
 * the set's records queued for rotation, atomically. Ending twice is harmless.
 * @throws AppError not-found
 */
export async function endEmergencyContact(db: Database, patientId: string, grantId: string, now: Date = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const { contact, grant } = await lockedOf(tx, grantId, { patientId });
    if (grant.revokedAt) return;
    await endGrant(tx, grantId, patientId, now);
    await appendAudit(tx, [{ subjectId: patientId, actorId: patientId, action: "emergency-ended", grantId, outcome: "success" }]);
    await tellContact(tx, contact, now);
  });
}

/**
 * The contact asks for access: the wait starts on the server's clock (the chosen wait times
 * `waitScale`), and the patient's trail (and notice centre) hears of it at once. Asking while a
 * request waits or is open changes nothing; after a refusal it starts a new request.
 * @throws AppError not-found (not this account's), gone (the patient ended it)
 */
export async function requestEmergencyAccess(db: Database, contactId: string, grantId: string, waitScale: number, now: Date = new Date()) {
  return db.transaction(async (tx) => {
    const { contact, grant } = await lockedOf(tx, grantId, { contactId });
    const state = stateOf(contact, grant.revokedAt, now);
    if (state === "ended") throw new AppError("gone", "This emergency access has ended.");
    if (state === "requested" || state === "open") return { contact, state };
    const opensAt = new Date(now.getTime() + Math.round(contact.waitSeconds * waitScale * 1000));
    const [updated] = await tx
      .update(emergencyContacts)
      .set({ requestedAt: now, opensAt, approvedAt: null, refusedAt: null })
      .where(eq(emergencyContacts.grantId, grantId))
      .returning();
    await appendAudit(tx, [{ subjectId: grant.patientId, actorId: contactId, action: "emergency-requested", grantId, outcome: "success" }]);
    return { contact: updated!, state: stateOf(updated!, null, now) };
  });
}

/**
 * What an open emergency grant serves its contact: the grant (signed terms, sealed keys) and
 * every record of the set with its wrap, read and audited in one transaction. Before it opens
 * (no request, waiting, refused) or once ended, nothing but a refusal.
 * @throws AppError not-found (not this account's), forbidden (not open: no request, still waiting, refused), gone (ended)
 */
export async function openEmergencySet(db: Database, contactId: string, grantId: string, now: Date = new Date()) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ contact: emergencyContacts, grant: grants })
      .from(emergencyContacts)
      .innerJoin(grants, eq(grants.id, emergencyContacts.grantId))
      .where(and(eq(emergencyContacts.grantId, grantId), eq(emergencyContacts.contactId, contactId)));
    if (!row) throw notFound();
    const state = stateOf(row.contact, row.grant.revokedAt, now);
    if (state === "ended" || !row.grant.sealedShareKey) throw new AppError("gone", "This emergency access has ended.");
    if (state !== "open") throw new AppError("forbidden", "Emergency access is not open: it opens after a request and its wait, unless the patient refuses.");
    const listed = await tx.select({ recordId: grantRecords.recordId }).from(grantRecords).where(eq(grantRecords.grantId, grantId));
    const rows = await recordsUnderGrant(tx, grantId, now);
    const served = rows.flatMap((entry) => (entry.served ? [entry.served] : []));
    await appendAudit(tx, [
      {
        subjectId: row.grant.patientId,
        actorId: contactId,
        action: "emergency-records-received",
        recordIds: served.map((record) => record.id).sort(),
        grantId,
        outcome: "success",
      },
    ]);
    return {
      contact: row.contact,
      grant: row.grant as GrantRow & { sealedShareKey: Uint8Array },
      recordIds: listed.map((entry) => entry.recordId),
      records: served,
    };
  });
}
