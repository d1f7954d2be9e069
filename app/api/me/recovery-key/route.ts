import { NextResponse } from "next/server";
import { z } from "zod";
import { replaceRecoveryKey } from "@/lib/accounts/security-service";
import { base64url } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

const bodySchema = z.object({ recoveryPublicKey: base64url(32).length(43), wrappedKey: base64url(256).min(43) });

export const PUT = route(async (request) => {
  await replaceRecoveryKey(await parseJsonBody(request, bodySchema));
  return new NextResponse(null, { status: 204 });
});
