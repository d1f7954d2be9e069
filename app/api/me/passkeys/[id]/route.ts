import { NextResponse } from "next/server";
import { removePasskey, renamePasskey } from "@/lib/accounts/security-service";
import { base64url, renamePasskeySchema } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

type Context = { params: Promise<{ id: string }> };
const idSchema = base64url(1024).min(1);

export const PATCH = route<Context>(async (request, { params }) => {
  const id = idSchema.parse((await params).id);
  const { name } = await parseJsonBody(request, renamePasskeySchema);
  await renamePasskey(id, name);
  return new NextResponse(null, { status: 204 });
});

export const DELETE = route<Context>(async (_request, { params }) => {
  await removePasskey(idSchema.parse((await params).id));
  return new NextResponse(null, { status: 204 });
});
