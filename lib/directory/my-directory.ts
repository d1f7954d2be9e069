import "server-only";
import { cryptoReady } from "@/crypto";
import { requireSession } from "@/lib/auth/current-session";
import { getDatabase } from "@/lib/db";
import { noSuchClinician, publishedKeys, searchDirectory } from "./directory-service";

/** Signed-in people search the directory; it is public by the clinicians' choice, not open to scrapers. */
export async function findClinicians(query: string) {
  await requireSession();
  const { db } = await getDatabase();
  return { clinicians: await searchDirectory(db, query) };
}

/**
 * Clinicians publish their keys so that patients can share with them. Anyone else's keys
 * (a patient's, an administrator's) go to themselves only: a clinician gets a patient's keys
 * with the grant (/api/shared), and nobody else needs them, so a user id alone does not tell
 * a stranger that a patient account exists. Refused exactly like an unknown id.
 */
export async function keysOf(userId: string) {
  const session = await requireSession();
  await cryptoReady();
  const { db } = await getDatabase();
  const keys = await publishedKeys(db, userId);
  if (keys.directory === null && userId !== session.userId) throw noSuchClinician();
  return keys;
}
