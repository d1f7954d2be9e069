import "server-only";
import { requireFreshProof } from "@/lib/auth/fresh-proof";
import { blobStore } from "@/lib/blobs/select-blob-store";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { clearSessionCookie } from "@/lib/sessions/cookies";
import { requireSession } from "@/lib/sessions/current-session";
import { deleteAccount, type AccountDeletion } from "./account-deletion";

/**
 * Deletes the signed-in person's account (deleteAccount) and clears the session cookie; the
 * session row went with the account. `userId` is the account the page showed: another one
 * (the person signed in as someone else in another tab) is refused with AppError "conflict".
 * Needs a fresh proof (AppError "fresh-proof-required"): a session left open must not be
 * enough to erase someone's health records.
 */
export async function deleteMyAccount(userId: string): Promise<AccountDeletion> {
  const session = await requireSession();
  if (userId.toLowerCase() !== session.userId.toLowerCase()) throw new AppError("conflict", "This page was showing another account. Reload it and try again.");
  requireFreshProof(session);
  const { db } = await getDatabase();
  const deletion = await deleteAccount(db, blobStore(db), session.userId);
  await clearSessionCookie();
  return deletion;
}
