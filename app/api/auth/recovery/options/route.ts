import { NextResponse } from "next/server";
import { beginRecovery } from "@/lib/accounts/recovery-service";
import { route } from "@/lib/http/route";

export const POST = route(async (request) => NextResponse.json(await beginRecovery(request)));
