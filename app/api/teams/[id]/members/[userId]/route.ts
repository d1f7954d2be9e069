import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { removeMember } from "@/lib/teams/team-service";

export const DELETE = handle(routes.teams.removeMember, ({ params }) => removeMember(params.id, params.userId));
