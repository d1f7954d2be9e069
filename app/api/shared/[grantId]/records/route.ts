import { NextResponse } from "next/server";
import { bodyLimits } from "@/contract/body-limits";
import { uuidSchema } from "@/lib/auth/schemas";
import { contributeToChart, sharedRecords } from "@/lib/grants/sharing-service";
import { contributionSchema } from "@/lib/grants/schemas";
import { parseJsonBody, route } from "@/lib/http/route";

type Context = { params: Promise<{ grantId: string }> };

export const GET = route<Context>(async (_request, { params }) =>
  NextResponse.json(await sharedRecords(uuidSchema.parse((await params).grantId)), { headers: { "cache-control": "no-store" } }),
);

/** A clinician with the contribute permission adds a record to the patient's chart. */
export const POST = route<Context>(async (request, { params }) => {
  const grantId = uuidSchema.parse((await params).grantId);
  await contributeToChart(grantId, await parseJsonBody(request, contributionSchema));
  return new NextResponse(null, { status: 201 });
}, { bodyLimit: bodyLimits.oneRecord });
