import { routes } from "@/contract/routes";
import { enable } from "@/lib/admin/admin-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.adminConsole.enableAccount, ({ params }) => enable(params.id));
