import "server-only";
import type { z } from "zod";
import { cryptoReady, fromBase64url, isCryptoError, parseShareCode, shareCodeMatches, toBase64url } from "@/crypto";
import type { EmergencyChange, EmergencyWait, emergencyAccessRoutes, emergencyContactRoutes, EmergencyState, NewEmergencyContact } from "@/contract/emergency";
import type { emergencyContacts } from "@/drizzle/schema";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { publishedKeysOf } from "@/lib/directory/directory-store";
import { AppError } from "@/lib/errors";
import { statementsOf } from "@/lib/records/record-store";
import { statementJson, versionJson } from "@/lib/records/version-json";
import { requireSession } from "@/lib/sessions/current-session";
import {
  answerEmergencyRequest,
  changeEmergencySet,
  createEmergencyContact,
  emergencyContactsOf,
  emergencyRolesOf,
  endEmergencyContact,
  openEmergencySet,
  requestEmergencyAccess,
} from "./emergency-store";

type ContactRow = typeof emergencyContacts.$inferSelect;

/** The patient's side needs a chart (a patient); the contact's side any account that keeps keys (not an administrator). */
async function as(side: "patient" | "contact") {
  const session = await requireSession();
  if (side === "patient" && session.role !== "patient") throw new AppError("forbidden", "Only patients name emergency contacts.");
  if (side === "contact" && session.role === "admin") throw new AppError("forbidden", "Administrators cannot be emergency contacts.");
  await cryptoReady();
  const { db } = await getDatabase();
  return { db, userId: session.userId };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const requestJson = (contact: ContactRow) => ({
  requestedAt: iso(contact.requestedAt),
  opensAt: iso(contact.opensAt),
  approvedAt: iso(contact.approvedAt),
  refusedAt: iso(contact.refusedAt),
});
const roleJson = (contact: ContactRow, state: EmergencyState) => ({
  grantId: contact.grantId,
  patientId: contact.patientId,
  waitSeconds: contact.waitSeconds as EmergencyWait,
  state,
  ...requestJson(contact),
});

/**
 * An account's published keys for a patient who holds its share code: the code must name the
 * account's current identity key, or the answer is the same not-found as for no account, so
 * an id alone never tells a stranger that an account exists (lib/directory/lookup-service.ts).
 */
export async function keysByShareCode(code: string) {
  const { db } = await as("patient");
  const refused = () => new AppError("not-found", "No account matches this share code.");
  let userId: string;
  try {
    userId = parseShareCode(code).userId;
  } catch (error) {
    if (!isCryptoError(error)) throw error;
    throw refused();
  }
  const keys = (await publishedKeysOf(db, [userId])).get(userId);
  if (!keys || !shareCodeMatches(code, fromBase64url(keys.identityPublicKey), userId)) throw refused();
  return keys;
}

/** Names an emergency contact the patient's browser sealed (POST /api/emergency-contacts); a re-sent one changes nothing. */
export async function nameEmergencyContact(body: NewEmergencyContact) {
  const { db, userId } = await as("patient");
  await createEmergencyContact(db, userId, {
    ...body,
    sealedShareKey: fromBase64url(body.sealedShareKey),
    statement: fromBase64url(body.statement),
    signature: fromBase64url(body.signature),
    sealedProfile: fromBase64url(body.sealedProfile),
    sealedChoice: fromBase64url(body.sealedChoice),
    wraps: body.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
  return { grantId: body.grantId };
}

/** The patient's emergency contacts (GET /api/emergency-contacts). */
export async function myEmergencyContacts(): Promise<z.input<typeof emergencyContactRoutes.list.response>> {
  const { db, userId } = await as("patient");
  const rows = await emergencyContactsOf(db, userId);
  return {
    contacts: rows.map(({ contact, grant, state, recordIds }) => ({
      grantId: contact.grantId,
      contactId: contact.contactId,
      waitSeconds: contact.waitSeconds as EmergencyWait,
      state,
      createdAt: grant.createdAt.toISOString(),
      endedAt: iso(grant.revokedAt),
      revision: grant.revision,
      recordIds,
      sealedChoice: toBase64url(contact.sealedChoice),
      ...requestJson(contact),
    })),
  };
}

/** Keeps an emergency set current (POST /api/emergency-contacts/[id]/change). */
export async function changeMyEmergencySet(grantId: string, body: EmergencyChange) {
  const { db, userId } = await as("patient");
  await changeEmergencySet(db, userId, grantId, {
    ...body,
    statement: fromBase64url(body.statement),
    signature: fromBase64url(body.signature),
    sealedChoice: fromBase64url(body.sealedChoice),
    wraps: body.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
}

/** Approves or refuses a waiting request (POST /api/emergency-contacts/[id]/approve, …/refuse). */
export async function answerMyEmergencyRequest(grantId: string, answer: "approve" | "refuse") {
  const { db, userId } = await as("patient");
  await answerEmergencyRequest(db, userId, grantId, answer);
}

/** Ends an emergency contact: cut off at once, keys rotated after (POST /api/emergency-contacts/[id]/end). */
export async function endMyEmergencyContact(grantId: string) {
  const { db, userId } = await as("patient");
  await endEmergencyContact(db, userId, grantId);
}

/** Who named the signed-in account their emergency contact (GET /api/emergency-access). */
export async function myEmergencyRoles(): Promise<z.input<typeof emergencyAccessRoutes.list.response>> {
  const { db, userId } = await as("contact");
  const rows = await emergencyRolesOf(db, userId);
  return { roles: rows.map(({ contact, state }) => roleJson(contact, state)) };
}

/** The contact asks for access (POST /api/emergency-access/[id]/request): the wait starts now. */
export async function requestAccess(grantId: string) {
  const { db, userId } = await as("contact");
  const { contact, state } = await requestEmergencyAccess(db, userId, grantId, config().emergencyWaitScale);
  return roleJson(contact, state);
}

/** An open emergency set, as ciphertext and wraps (GET /api/emergency-access/[id]). */
export async function openEmergencyAccess(grantId: string): Promise<z.input<typeof emergencyAccessRoutes.open.response>> {
  const { db, userId } = await as("contact");
  const opened = await openEmergencySet(db, userId, grantId);
  const [keys, statements] = await Promise.all([
    publishedKeysOf(db, [opened.grant.patientId]),
    statementsOf(
      db,
      opened.records.map((record) => record.id),
    ),
  ]);
  const patientKeys = keys.get(opened.grant.patientId);
  // Every account has current keys from sign-up on; a patient without them is a broken invariant, not a refusal.
  if (!patientKeys) throw new Error("A patient with an emergency contact has no published keys.");
  return {
    grantId,
    patientId: opened.grant.patientId,
    waitSeconds: opened.contact.waitSeconds as EmergencyWait,
    revision: opened.grant.revision,
    statement: toBase64url(opened.grant.statement),
    signature: toBase64url(opened.grant.signature),
    sealedShareKey: toBase64url(opened.grant.sealedShareKey),
    sealedProfile: opened.grant.sealedProfile ? toBase64url(opened.grant.sealedProfile) : "",
    recordIds: opened.recordIds,
    patientKeys,
    records: opened.records.map((record) => ({
      id: record.id,
      keyVersion: record.keyVersion,
      currentVersion: record.currentVersion,
      updatedAt: record.updatedAt.toISOString(),
      wrappedKey: toBase64url(record.wrappedKey),
      current: versionJson(record.current),
      statements: (statements.get(record.id) ?? []).map(statementJson),
    })),
  };
}
