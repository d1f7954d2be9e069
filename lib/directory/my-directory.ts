import "server-only";
import { cryptoReady } from "@/crypto";
import { requireSession } from "@/lib/auth/current-session";
import { getDatabase } from "@/lib/db";
import { publishedKeys, searchDirectory } from "./directory-service";

/** Signed-in people search the directory; it is public by the clinicians' choice, not open to scrapers. */
export async function findClinicians(query: string) {
  await requireSession();
  const { db } = await getDatabase();
  return { clinicians: await searchDirectory(db, query) };
}

export async function keysOf(userId: string) {
  await requireSession();
  await cryptoReady();
  const { db } = await getDatabase();
  return publishedKeys(db, userId);
}
