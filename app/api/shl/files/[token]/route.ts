import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { openLocation } from "@/lib/links/public-link-service";

export const GET = handle(routes.shl.location, ({ request, params }) => openLocation(request, params.token));
