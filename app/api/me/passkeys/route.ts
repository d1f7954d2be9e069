import { NextResponse } from "next/server";
import { z } from "zod";
import { completeAddPasskey, listMyPasskeys } from "@/lib/accounts/security-service";
import { base64url, registrationResponseSchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

const addSchema = z.object({
  name: z.string().trim().min(1).max(64),
  credential: registrationResponseSchema,
  vaultWrap: z.object({
    method: z.enum(["prf", "device"]),
    methodId: z.string().min(1).max(1024),
    salt: base64url(64),
    wrappedKey: base64url(256),
  }),
});

export const GET = route(async () => NextResponse.json(await listMyPasskeys(), { headers: { "cache-control": "no-store" } }));

export const POST = route(async (request) => {
  const body = await parseJsonBody(request, addSchema);
  return NextResponse.json(await completeAddPasskey(body), { status: 201 });
});
