import { routes } from "@/contract/routes";
import { revokeMyGrant } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.grants.revoke, ({ params }) => revokeMyGrant(params.id));
