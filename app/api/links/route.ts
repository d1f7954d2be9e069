import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { createMyLink, myLinks } from "@/lib/links/link-service";

export const GET = handle(routes.links.list, () => myLinks());
export const POST = handle(routes.links.create, ({ body }) => createMyLink(body));
