import { NextResponse } from "next/server";
import { z } from "zod";
import { startUpload } from "@/lib/blobs/blob-service";
import { parseJsonBody, route } from "@/lib/http/route";

const bodySchema = z.object({ chunkSize: z.number().int().positive(), chunkCount: z.number().int().min(1).max(1_000_000), replaces: z.uuid().optional() });

export const POST = route(async (request) => NextResponse.json(await startUpload(await parseJsonBody(request, bodySchema)), { status: 201 }));
