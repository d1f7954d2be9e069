import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { myLinkAccesses } from "@/lib/links/link-service";

export const GET = handle(routes.links.accesses, ({ params }) => myLinkAccesses(params.id));
