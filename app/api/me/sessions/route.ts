import { NextResponse } from "next/server";
import { listMySessions } from "@/lib/accounts/security-service";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await listMySessions(), { headers: { "cache-control": "no-store" } }));
