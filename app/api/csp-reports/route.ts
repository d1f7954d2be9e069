import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { route } from "@/lib/http/route";
import { receiveCspReport } from "@/lib/security/csp-reports-service";

export const POST = route(async (request) => {
  await receiveCspReport(request);
  return new NextResponse(null, { status: 204 });
}, { bodyLimit: bodyLimits.cspReport });
