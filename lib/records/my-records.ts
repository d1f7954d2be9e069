import "server-only";
import { cryptoReady } from "@/crypto";
import { requireSession } from "@/lib/auth/current-session";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { addVersion, chartOf, createRecords, deleteRecord, rotateRecordKey, versionsOf } from "./records-service";
import type { CreateRecord, RotateRecordKey, VersionPayload } from "./schemas";

/** Only a patient writes their own chart directly (clinicians contribute through grants). */
async function owner() {
  const session = await requireSession();
  if (session.role !== "patient") throw new AppError("forbidden", "Only patients keep a chart of their own.");
  await cryptoReady();
  const { db } = await getDatabase();
  return { db, ownerId: session.userId };
}

export async function getMyChart() {
  const { db, ownerId } = await owner();
  return chartOf(db, ownerId);
}

export async function createMyRecords(items: CreateRecord[]) {
  const { db, ownerId } = await owner();
  return createRecords(db, ownerId, items);
}

export async function getMyRecordVersions(recordId: string) {
  const { db, ownerId } = await owner();
  return versionsOf(db, ownerId, recordId);
}

export async function addMyRecordVersion(recordId: string, payload: VersionPayload) {
  const { db, ownerId } = await owner();
  await addVersion(db, ownerId, recordId, payload);
}

export async function deleteMyRecord(recordId: string) {
  const { db, ownerId } = await owner();
  await deleteRecord(db, ownerId, recordId);
}

export async function rotateMyRecordKey(recordId: string, payload: RotateRecordKey) {
  const { db, ownerId } = await owner();
  await rotateRecordKey(db, ownerId, recordId, payload);
}
