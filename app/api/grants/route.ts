import { routes } from "@/contract/routes";
import { myGrants, shareMyRecords } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.grants.list, () => myGrants());
export const POST = handle(routes.grants.create, ({ body }) => shareMyRecords(body));
