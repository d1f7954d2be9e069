import { routes } from "@/contract/routes";
import { completeAddPasskey, listMyPasskeys } from "@/lib/accounts/security-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.security.passkeys, () => listMyPasskeys());

export const POST = handle(routes.security.addPasskey, ({ body }) => completeAddPasskey(body));
