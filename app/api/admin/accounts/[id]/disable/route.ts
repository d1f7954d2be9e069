import { routes } from "@/contract/routes";
import { disable } from "@/lib/admin/admin-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.adminConsole.disableAccount, ({ params }) => disable(params.id));
