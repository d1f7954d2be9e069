import { NextResponse } from "next/server";
import { getMyVault } from "@/lib/accounts/vault-service";
import { route } from "@/lib/http/route";

export const GET = route(async () => NextResponse.json(await getMyVault(), { headers: { "cache-control": "no-store" } }));
