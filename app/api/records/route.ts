import { NextResponse } from "next/server";
import { parseJsonBody, route } from "@/lib/http/route";
import { createMyRecords, getMyChart } from "@/lib/records/my-records";
import { createRecordsRequestSchema } from "@/lib/records/schemas";

/** A whole imported bundle arrives in one request, so that it lands all at once or not at all. */
const batchLimitBytes = 24 * 1024 * 1024;

export const GET = route(async () => NextResponse.json(await getMyChart(), { headers: { "cache-control": "no-store" } }));

export const POST = route(async (request) => {
  const { records } = await parseJsonBody(request, createRecordsRequestSchema, batchLimitBytes);
  return NextResponse.json(await createMyRecords(records), { status: 201 });
});
