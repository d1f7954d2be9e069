import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { createTeam } from "@/lib/teams/team-service";

export const POST = handle(routes.teams.createTeam, ({ params, body }) => createTeam(params.id, body));
