import { NextResponse } from "next/server";
import { uuidSchema } from "@/lib/auth/schemas";
import { revokeMyGrant } from "@/lib/grants/sharing-service";
import { route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string }> };

export const POST = route<Context>(async (_request, { params }) => {
  await revokeMyGrant(uuidSchema.parse((await params).id));
  return new NextResponse(null, { status: 204 });
});
