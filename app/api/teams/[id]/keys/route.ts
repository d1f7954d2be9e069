import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { nextTeamKey } from "@/lib/teams/team-service";

export const POST = handle(routes.teams.nextKey, ({ params, body }) => nextTeamKey(params.id, body));
