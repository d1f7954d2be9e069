import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { revokeMyLink, updateMyLinkFile } from "@/lib/links/link-service";

export const DELETE = handle(routes.links.revoke, ({ params }) => revokeMyLink(params.id));
export const PUT = handle(routes.links.updateFile, ({ params, body }) => updateMyLinkFile(params.id, body));
