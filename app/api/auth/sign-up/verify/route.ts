import { NextResponse } from "next/server";
import { signUpRequestSchema } from "@/lib/auth/schemas";
import { completeSignUp } from "@/lib/accounts/sign-up-service";
import { parseJsonBody, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const body = await parseJsonBody(request, signUpRequestSchema);
  return NextResponse.json(await completeSignUp(request, body), { status: 201 });
});
