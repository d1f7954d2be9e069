import { NextResponse } from "next/server";
import { signOutOtherSessions } from "@/lib/accounts/security-service";
import { route } from "@/lib/http/route";

export const POST = route(async () => NextResponse.json(await signOutOtherSessions()));
