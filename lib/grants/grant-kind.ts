import "server-only";
import { and, eq } from "drizzle-orm";
import { emergencyContacts } from "@/drizzle/schema";
import type { Executor } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * The share routes (`/api/grants/[id]/…`) act on shares, to a clinician or to a care team, and
 * on nothing else: an emergency contact's grant has its own routes (`/api/emergency-contacts/
 * [id]/…`), which write its own trail events (`emergency-ended`, not `grant-revoked`) and keep
 * its sealed choice in step. A grant's kind never changes (its id is fixed at creation), so the
 * check may run before the caller's transaction.
 * @throws AppError "wrong-grant-kind" (409) when `grantId` is one of this patient's emergency contacts;
 *   nothing for any other id (the caller's own lookup answers not-found for someone else's)
 */
export async function refuseEmergencyGrant(db: Executor, patientId: string, grantId: string): Promise<void> {
  const [emergency] = await db
    .select({ grantId: emergencyContacts.grantId })
    .from(emergencyContacts)
    .where(and(eq(emergencyContacts.grantId, grantId), eq(emergencyContacts.patientId, patientId)));
  if (emergency) {
    throw new AppError(
      "wrong-grant-kind",
      "This is an emergency contact, not a share. End or change it on the Emergency contacts page, where the contact is told and your trail says so.",
    );
  }
}
