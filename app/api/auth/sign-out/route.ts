import { NextResponse } from "next/server";
import { signOut } from "@/lib/auth/sign-in-service";
import { route } from "@/lib/http/route";

export const POST = route(async () => {
  await signOut();
  return new NextResponse(null, { status: 204 });
});
