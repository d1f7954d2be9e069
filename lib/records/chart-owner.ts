import "server-only";
import { cryptoReady } from "@/crypto";
import { requireSession } from "@/lib/sessions/current-session";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * The caller as the owner of a chart: only a patient writes their own chart directly (a
 * record, an import); clinicians contribute through grants. Returns the database and the
 * owner's id.
 * @throws AppError "unauthenticated" without a session, "forbidden" for anyone but a patient.
 */
export async function chartOwner() {
  const session = await requireSession();
  if (session.role !== "patient") throw new AppError("forbidden", "Only patients keep a chart of their own.");
  await cryptoReady();
  const { db } = await getDatabase();
  return { db, ownerId: session.userId };
}
