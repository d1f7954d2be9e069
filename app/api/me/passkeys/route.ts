import { NextResponse } from "next/server";
import { completeAddPasskey, listMyPasskeys } from "@/lib/accounts/security-service";
import { addPasskeySchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await listMyPasskeys(), { headers: { "cache-control": "no-store" } }));

export const POST = route(async (request) => {
  const body = await parseJsonBody(request, addPasskeySchema);
  return NextResponse.json(await completeAddPasskey(body), { status: 201 });
});
