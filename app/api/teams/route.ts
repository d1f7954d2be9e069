import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { findTeams } from "@/lib/teams/team-service";

export const GET = handle(routes.teams.search, ({ query }) => findTeams(query.q));
