import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { uuidSchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";
import { addMyRecordVersion, getMyRecordVersions } from "@/lib/records/chart-service";
import { versionPayloadSchema } from "@/lib/records/schemas";

type Context = { params: Promise<{ id: string }> };

export const GET = route<Context>(async (_request, { params }) =>
  NextResponse.json(await getMyRecordVersions(uuidSchema.parse((await params).id)), { headers: { "cache-control": "no-store" } }),
);

export const POST = route<Context>(async (request, { params }) => {
  const id = uuidSchema.parse((await params).id);
  const payload = await parseJsonBody(request, versionPayloadSchema);
  await addMyRecordVersion(id, payload);
  return new NextResponse(null, { status: 201 });
}, { bodyLimit: bodyLimits.oneRecord });
