import { NextResponse } from "next/server";
import { addMyGrantWraps } from "@/lib/grants/my-grants";
import { grantWrapsRequestSchema } from "@/lib/grants/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const { wraps } = await parseJsonBody(request, grantWrapsRequestSchema, 4 * 1024 * 1024);
  await addMyGrantWraps(wraps);
  return new NextResponse(null, { status: 204 });
});
