import { routes } from "@/contract/routes";
import { recordMyExport } from "@/lib/audit/trail-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.audit.recordExport, () => recordMyExport());
