import { NextResponse } from "next/server";
import { route } from "@/lib/http/route";
import { receiveCspReport } from "@/lib/security/csp-reports-service";

export const POST = route(async (request) => {
  await receiveCspReport(request);
  return new NextResponse(null, { status: 204 });
});
