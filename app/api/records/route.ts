import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { parseJsonBody, route } from "@/lib/http/route";
import { createMyRecords, getMyChart } from "@/lib/records/chart-service";
import { createRecordsRequestSchema } from "@/lib/records/schemas";

export const GET = route(async () => NextResponse.json(await getMyChart(), { headers: { "cache-control": "no-store" } }));

export const POST = route(async (request) => {
  const { records } = await parseJsonBody(request, createRecordsRequestSchema);
  return NextResponse.json(await createMyRecords(records), { status: 201 });
  // An imported bundle arrives in as few requests as fit (client/records/records.ts splits larger ones).
}, { bodyLimit: bodyLimits.recordsBatch });
