import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { receiveCspReport } from "@/lib/security/csp-reports-service";

export const POST = handle(routes.system.cspReports, ({ request, body }) => receiveCspReport(request, body));
