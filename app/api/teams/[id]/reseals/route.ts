import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { resealTeamGrants, teamGrantsToReseal } from "@/lib/teams/team-service";

export const GET = handle(routes.teams.toReseal, ({ params }) => teamGrantsToReseal(params.id));
export const POST = handle(routes.teams.reseal, ({ params, body }) => resealTeamGrants(params.id, body));
