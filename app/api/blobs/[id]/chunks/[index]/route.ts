import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { z } from "zod";
import { uuidSchema } from "@/lib/auth/schemas";
import { downloadChunk, uploadChunk } from "@/lib/blobs/blob-service";
import { readBinaryBody, route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string; index: string }> };
const indexSchema = z.coerce.number().int().min(0).max(1_000_000);

async function target(params: Context["params"]) {
  const { id, index } = await params;
  return { blobId: uuidSchema.parse(id), index: indexSchema.parse(index) };
}

export const PUT = route<Context>(async (request, { params }) => {
  const { blobId, index } = await target(params);
  await uploadChunk(blobId, index, await readBinaryBody(request));
  return new NextResponse(null, { status: 204 });
}, { bodyLimit: bodyLimits.fileChunk });

export const GET = route<Context>(async (_request, { params }) => {
  const { blobId, index } = await target(params);
  const data = await downloadChunk(blobId, index);
  return new NextResponse(new Uint8Array(data), {
    headers: { "content-type": "application/octet-stream", "cache-control": "private, no-store" },
  });
});
