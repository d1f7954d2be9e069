import { NextResponse } from "next/server";
import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { addMyRecordVersion, getMyRecordVersions } from "@/lib/records/chart-service";

export const GET = handle(routes.records.versions, ({ params }) => getMyRecordVersions(params.id));

// 201 with no body, as it has always answered (the contract's "empty" is otherwise a 204).
export const POST = handle(routes.records.addVersion, async ({ params, body }) => {
  await addMyRecordVersion(params.id, body);
  return new NextResponse(null, { status: 201, headers: { "cache-control": "no-store" } });
});
