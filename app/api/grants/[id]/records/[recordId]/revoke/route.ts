import { routes } from "@/contract/routes";
import { revokeMyGrantRecord } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.grants.revokeRecord, ({ params }) => revokeMyGrantRecord(params.id, params.recordId));
