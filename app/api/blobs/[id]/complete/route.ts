import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { completeUpload } from "@/lib/blobs/blob-service";
import { route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string }> };

export const POST = route<Context>(async (_request, { params }) => NextResponse.json(await completeUpload(uuidSchema.parse((await params).id))));
