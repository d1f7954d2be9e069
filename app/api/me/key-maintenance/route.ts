import { NextResponse } from "next/server";
import { myKeyMaintenance } from "@/lib/grants/sharing-service";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await myKeyMaintenance(), { headers: { "cache-control": "no-store" } }));
