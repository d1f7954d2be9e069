import "server-only";
import { eq, or, sql } from "drizzle-orm";
import { careTeamMembers, grants } from "@/drizzle/schema";

/**
 * Who a grant serves: its clinician, or for a grant to a care team whoever is a member now. A
 * removed member's row is gone, so the next request after a removal finds no grant: the cut-off
 * is at once, before any key is replaced.
 */
export const granteeIs = (userId: string) =>
  or(
    eq(grants.clinicianId, userId),
    sql`${grants.teamId} in (select ${careTeamMembers.teamId} from ${careTeamMembers} where ${careTeamMembers.userId} = ${userId})`,
  );
