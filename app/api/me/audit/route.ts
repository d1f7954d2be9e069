import { routes } from "@/contract/routes";
import { myTrail } from "@/lib/audit/trail-service";
import { handle } from "@/lib/http/route";

/** GET /api/me/audit?after=<seq>&limit=<n> (the newest events; after defaults to 0) or ?before=<seq>&limit=<n> (an older page). */
export const GET = handle(routes.audit.trail, ({ query: { after, before, limit } }) =>
  myTrail(before === undefined ? { after: after ?? 0, limit } : { before, limit }),
);
