import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { myOrganizations } from "@/lib/teams/team-service";

export const GET = handle(routes.teams.myOrganizations, () => myOrganizations());
