import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { teamKeys } from "@/lib/teams/team-service";

export const GET = handle(routes.teams.keys, ({ params }) => teamKeys(params.id));
