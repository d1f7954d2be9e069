import { NextResponse } from "next/server";
import { z } from "zod";
import { trailPageSize, type TrailQuery } from "@/lib/audit/trail-store";
import { myTrail } from "@/lib/audit/trail-service";
import { route } from "@/lib/http/route";

const seq = z.coerce.number().int().min(0).max(2_147_483_647);
const querySchema = z
  .object({ after: seq.optional(), before: seq.min(1).optional(), limit: z.coerce.number().int().min(1).max(trailPageSize.max).default(trailPageSize.default) })
  .strict()
  .refine((query) => query.after === undefined || query.before === undefined, { message: "Give after or before, not both.", path: ["before"] });

/** GET /api/me/audit?after=<seq>&limit=<n> (the newest events; after defaults to 0) or ?before=<seq>&limit=<n> (an older page). */
export const GET = route(async (request) => {
  const { after, before, limit } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const query: TrailQuery = before === undefined ? { after: after ?? 0, limit } : { before, limit };
  return NextResponse.json(await myTrail(query), { headers: { "cache-control": "no-store" } });
});
