import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { keysOf } from "@/lib/directory/lookup-service";
import { route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string }> };

export const GET = route<Context>(async (_request, { params }) =>
  NextResponse.json(await keysOf(uuidSchema.parse((await params).id)), { headers: { "cache-control": "no-store" } }),
);
