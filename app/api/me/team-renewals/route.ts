import { routes } from "@/contract/routes";
import { myTeamRenewals } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.teamRenewals.pending, () => myTeamRenewals());
