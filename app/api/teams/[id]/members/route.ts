import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { addMember } from "@/lib/teams/team-service";

export const POST = handle(routes.teams.addMember, ({ params, body }) => addMember(params.id, body));
