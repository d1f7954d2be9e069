import { NextResponse } from "next/server";
import { z } from "zod";
import { authenticationResponseSchema } from "@/lib/auth/schemas";
import { completeSignIn } from "@/lib/auth/sign-in-service";
import { parseJsonBody, route } from "@/lib/http/route";

const bodySchema = z.object({ credential: authenticationResponseSchema });

export const POST = route(async (request) => {
  const { credential } = await parseJsonBody(request, bodySchema);
  return NextResponse.json(await completeSignIn(request, credential));
});
