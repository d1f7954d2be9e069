import { NextResponse } from "next/server";
import { proveRecovery } from "@/lib/accounts/recovery-service";
import { recoveryProofSchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const body = await parseJsonBody(request, recoveryProofSchema);
  return NextResponse.json(await proveRecovery(request, body));
});
