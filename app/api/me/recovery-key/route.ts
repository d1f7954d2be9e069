import { NextResponse } from "next/server";
import { z } from "zod";
import { currentRecoveryKey, replaceRecoveryKey } from "@/lib/accounts/security-service";
import { base64url } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

const publicKey = base64url(32).length(43);
const bodySchema = z.object({
  previousRecoveryPublicKey: publicKey,
  recoveryPublicKey: publicKey,
  wrappedKey: base64url(256).min(43),
  signature: base64url(64).length(86),
});

export const GET = route(async () => NextResponse.json(await currentRecoveryKey(), { headers: { "cache-control": "no-store" } }));

export const PUT = route(async (request) => {
  await replaceRecoveryKey(await parseJsonBody(request, bodySchema));
  return new NextResponse(null, { status: 204 });
});
