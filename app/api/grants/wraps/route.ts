import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { addMyGrantWraps } from "@/lib/grants/sharing-service";
import { grantWrapsRequestSchema } from "@/lib/grants/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const { wraps } = await parseJsonBody(request, grantWrapsRequestSchema);
  await addMyGrantWraps(wraps);
  return new NextResponse(null, { status: 204 });
}, { bodyLimit: bodyLimits.grantWraps });
