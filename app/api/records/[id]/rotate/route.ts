import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { uuidSchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";
import { rotateMyRecordKey } from "@/lib/records/chart-service";
import { rotateRecordKeySchema } from "@/lib/records/schemas";

type Context = { params: Promise<{ id: string }> };

export const POST = route<Context>(async (request, { params }) => {
  const id = uuidSchema.parse((await params).id);
  await rotateMyRecordKey(id, await parseJsonBody(request, rotateRecordKeySchema));
  return new NextResponse(null, { status: 204 });
}, { bodyLimit: bodyLimits.oneRecord });
