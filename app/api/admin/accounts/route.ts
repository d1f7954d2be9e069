import { routes } from "@/contract/routes";
import { accounts } from "@/lib/admin/admin-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.adminConsole.accounts, ({ query }) => accounts(query));
