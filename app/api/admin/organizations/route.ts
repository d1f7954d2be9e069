import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { createOrganization } from "@/lib/teams/team-service";

export const POST = handle(routes.teams.createOrganization, ({ body }) => createOrganization(body));
