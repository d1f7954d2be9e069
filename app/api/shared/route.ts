import { NextResponse } from "next/server";
import { sharedWithMe } from "@/lib/grants/sharing-service";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await sharedWithMe(), { headers: { "cache-control": "no-store" } }));
