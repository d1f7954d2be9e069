import "server-only";
import { cryptoReady } from "@/crypto";
import { requireSession } from "@/lib/sessions/current-session";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { enforceRateLimits, type RateLimitRule } from "@/lib/rate-limit";
import { noSuchClinician, publishedKeys, searchDirectory } from "./directory-store";

const searchWindowSeconds = 600;

/**
 * Signed-in people search the directory; it is public by the clinicians' choice, not open to
 * scrapers: DIRECTORY_SEARCH_LIMIT_PER_ACCOUNT searches per account in 10 minutes (then 429),
 * at least three characters, at most twenty results.
 */
export async function findClinicians(query: string) {
  const session = await requireSession();
  const { db } = await getDatabase();
  const perAccount: RateLimitRule = {
    name: "directory:account",
    limit: config().directorySearchLimitPerAccount,
    windowSeconds: searchWindowSeconds,
    refusal: "Too many searches from this account",
  };
  await enforceRateLimits(db, [{ rule: perAccount, subject: session.userId }]);
  return searchDirectory(db, query);
}

/**
 * Clinicians publish their keys so that patients can share with them. Anyone else's keys
 * (a patient's, an administrator's) go to themselves only: a clinician gets a patient's keys
 * with the grant (/api/shared), and nobody else needs them, so a user id alone does not tell
 * a stranger that a patient account exists. Refused exactly like an unknown id. A deployment
 * administrator reads anyone's: they sign the identity key of whoever they name an
 * organization's administrator (client/admin/admin-accounts.ts), and already list every account.
 */
export async function keysOf(userId: string) {
  const session = await requireSession();
  await cryptoReady();
  const { db } = await getDatabase();
  const keys = await publishedKeys(db, userId);
  if (keys.directory === null && userId !== session.userId && session.role !== "admin") throw noSuchClinician();
  return keys;
}
