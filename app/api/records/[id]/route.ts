import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { route } from "@/lib/http/route";
import { deleteMyRecord } from "@/lib/records/chart-service";

type Context = { params: Promise<{ id: string }> };

export const DELETE = route<Context>(async (_request, { params }) => {
  await deleteMyRecord(uuidSchema.parse((await params).id));
  return new NextResponse(null, { status: 204 });
});
