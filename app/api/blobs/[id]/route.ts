import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { uploadStatus } from "@/lib/blobs/blob-service";
import { route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string }> };

export const GET = route<Context>(async (_request, { params }) =>
  NextResponse.json(await uploadStatus(uuidSchema.parse((await params).id)), { headers: { "cache-control": "no-store" } }),
);
