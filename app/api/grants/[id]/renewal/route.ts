import { routes } from "@/contract/routes";
import { renewMyTeamGrant } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.teamRenewals.renew, ({ params, body }) => renewMyTeamGrant(params.id, body));
