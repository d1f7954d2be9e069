import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { z } from "zod";
import { maxPrivateBundleBytes } from "@/crypto";
import { replaceMyBundle } from "@/lib/accounts/vault-service";
import { base64url } from "@/lib/auth/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

const replaceBundleSchema = z.object({ bundle: base64url(maxPrivateBundleBytes).min(43), revision: z.number().int().min(1) });

export const PUT = route(async (request) => NextResponse.json(await replaceMyBundle(await parseJsonBody(request, replaceBundleSchema))), { bodyLimit: bodyLimits.vaultBundle });
