import { routes } from "@/contract/routes";
import { addMyGrantWraps } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.grants.addWraps, ({ body }) => addMyGrantWraps(body.wraps));
