import { NextResponse } from "next/server";
import { z } from "zod";
import { findClinicians } from "@/lib/directory/lookup-service";
import { route } from "@/lib/http/route";

const querySchema = z.string().max(100).default("");

export const GET = route(async (request) => {
  const query = querySchema.parse(new URL(request.url).searchParams.get("q") ?? undefined);
  return NextResponse.json(await findClinicians(query), { headers: { "cache-control": "no-store" } });
});
