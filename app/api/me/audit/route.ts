import { NextResponse } from "next/server";
import { myTrail } from "@/lib/audit/my-audit";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await myTrail(), { headers: { "cache-control": "no-store" } }));
