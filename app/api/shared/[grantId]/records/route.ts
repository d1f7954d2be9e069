import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { sharedRecords } from "@/lib/grants/my-grants";
import { route } from "@/lib/http/route";

type Context = { params: Promise<{ grantId: string }> };

export const GET = route<Context>(async (_request, { params }) =>
  NextResponse.json(await sharedRecords(uuidSchema.parse((await params).grantId)), { headers: { "cache-control": "no-store" } }),
);
