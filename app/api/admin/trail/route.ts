import { routes } from "@/contract/routes";
import { trail } from "@/lib/admin/admin-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.adminConsole.trail, ({ query }) => trail(query));
