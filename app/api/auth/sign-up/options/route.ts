import { NextResponse } from "next/server";
import { signUpOptionsRequestSchema } from "@/lib/auth/schemas";
import { beginSignUp } from "@/lib/accounts/sign-up-service";
import { parseJsonBody, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const body = await parseJsonBody(request, signUpOptionsRequestSchema);
  return NextResponse.json(await beginSignUp(request, body));
});
