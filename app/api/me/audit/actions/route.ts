import { NextResponse } from "next/server";
import { myActions } from "@/lib/audit/trail-service";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await myActions(), { headers: { "cache-control": "no-store" } }));
