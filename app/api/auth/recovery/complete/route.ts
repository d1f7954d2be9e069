import { NextResponse } from "next/server";
import { completeRecovery } from "@/lib/accounts/recovery-service";
import { recoveryCompleteSchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const body = await parseJsonBody(request, recoveryCompleteSchema);
  return NextResponse.json(await completeRecovery(body));
});
