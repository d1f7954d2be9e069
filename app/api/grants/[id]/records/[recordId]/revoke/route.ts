import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { revokeMyGrantRecord } from "@/lib/grants/sharing-service";
import { route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string; recordId: string }> };

export const POST = route<Context>(async (_request, { params }) => {
  const { id, recordId } = await params;
  await revokeMyGrantRecord(uuidSchema.parse(id), uuidSchema.parse(recordId));
  return new NextResponse(null, { status: 204 });
});
