import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { revokeMyLink } from "@/lib/links/link-service";

export const DELETE = handle(routes.links.revoke, ({ params }) => revokeMyLink(params.id));
