import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { uuidSchema } from "@/lib/auth/schemas";
import { changeMyGrant } from "@/lib/grants/sharing-service";
import { changeGrantSchema } from "@/lib/grants/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string }> };

export const POST = route<Context>(async (request, { params }) => {
  const grantId = uuidSchema.parse((await params).id);
  return NextResponse.json(await changeMyGrant(grantId, await parseJsonBody(request, changeGrantSchema)));
}, { bodyLimit: bodyLimits.grant });
