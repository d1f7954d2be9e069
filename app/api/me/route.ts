import { routes } from "@/contract/routes";
import { deleteMyAccount } from "@/lib/accounts/leave-service";
import { handle } from "@/lib/http/route";

export const DELETE = handle(routes.security.deleteAccount, ({ query }) => deleteMyAccount(query.userId));
