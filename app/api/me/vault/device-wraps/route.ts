import { NextResponse } from "next/server";
import { z } from "zod";
import { addDeviceWrap } from "@/lib/accounts/vault-service";
import { base64url } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

const bodySchema = z.object({
  method: z.literal("device"),
  methodId: z.uuid(),
  salt: base64url(16).min(16),
  wrappedKey: base64url(128).min(43),
});

export const POST = route(async (request) => {
  const wrap = await parseJsonBody(request, bodySchema);
  await addDeviceWrap(wrap);
  return new NextResponse(null, { status: 204 });
});
