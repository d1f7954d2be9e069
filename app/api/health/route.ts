import { NextResponse } from "next/server";
import { getHealth } from "@/lib/health";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const report = await getHealth();
  return NextResponse.json(report, { headers: { "cache-control": "no-store" } });
});
