import "server-only";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/request-meta";
import { logger } from "@/lib/log";
import { enforceRateLimits, type RateLimitRule } from "@/lib/rate-limit";
import { summarizeCspReports } from "./csp-report";

const perAddress: RateLimitRule = { name: "csp-report:address", limit: 30, windowSeconds: 600 };
const acceptedTypes = /^application\/(csp-report|reports\+json|json)\b/i;

/** Takes a browser's CSP violation report (`bytes`, its body): rate limited per address, logged as directive and origin only. */
export async function receiveCspReport(request: Request, bytes: Uint8Array): Promise<void> {
  const { db } = await getDatabase();
  await enforceRateLimits(db, [{ rule: perAddress, subject: clientAddress(request) }]);
  if (!acceptedTypes.test(request.headers.get("content-type") ?? "")) {
    throw new AppError("unsupported-media-type", "Send CSP reports as application/csp-report or application/reports+json.");
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new AppError("invalid-json", "The report is not valid JSON.");
  }
  for (const violation of summarizeCspReports(body)) logger().warn({ csp: violation }, "content security policy violation");
}
