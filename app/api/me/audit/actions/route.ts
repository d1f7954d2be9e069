import { routes } from "@/contract/routes";
import { myActions } from "@/lib/audit/trail-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.audit.actions, () => myActions());
