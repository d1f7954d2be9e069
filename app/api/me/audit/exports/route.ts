import { NextResponse } from "next/server";
import { recordMyExport } from "@/lib/audit/trail-service";
import { route } from "@/lib/http/route";

export const POST = route(async () => {
  await recordMyExport();
  return new NextResponse(null, { status: 204 });
});
