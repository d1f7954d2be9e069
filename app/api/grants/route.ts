import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { myGrants, shareMyRecords } from "@/lib/grants/sharing-service";
import { createGrantSchema } from "@/lib/grants/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await myGrants(), { headers: { "cache-control": "no-store" } }));

export const POST = route(async (request) => {
  await shareMyRecords(await parseJsonBody(request, createGrantSchema));
  return new NextResponse(null, { status: 201 });
}, { bodyLimit: bodyLimits.grant });
