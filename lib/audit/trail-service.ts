import "server-only";
import { cryptoReady } from "@/crypto";
import { requireSession } from "@/lib/sessions/current-session";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { appendAudit } from "./audit-log";
import { actionsBy, trailPage, type TrailQuery } from "./trail-store";

/** One page of the signed-in person's own trail (see trailPage). */
export async function myTrail(query: TrailQuery) {
  const session = await requireSession();
  await cryptoReady();
  const { db } = await getDatabase();
  return trailPage(db, session.userId, query);
}

export async function myActions() {
  const session = await requireSession();
  if (session.role !== "doctor" && session.role !== "nurse") throw new AppError("forbidden", "Only doctors and nurses open other people's records.");
  const { db } = await getDatabase();
  return actionsBy(db, session.userId);
}

/** Exports happen in the browser; the browser reports them so they join the trail. */
export async function recordMyExport() {
  const session = await requireSession();
  if (session.role !== "patient") throw new AppError("forbidden", "Only patients export their chart.");
  await cryptoReady();
  const { db } = await getDatabase();
  await appendAudit(db, [{ subjectId: session.userId, actorId: session.userId, action: "records-exported", outcome: "success" }]);
}
