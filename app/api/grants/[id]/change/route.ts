import { routes } from "@/contract/routes";
import { changeMyGrant } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.grants.change, ({ params, body }) => changeMyGrant(params.id, body));
