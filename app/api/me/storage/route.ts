import { NextResponse } from "next/server";
import { myStorage } from "@/lib/blobs/blob-service";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await myStorage(), { headers: { "cache-control": "no-store" } }));
