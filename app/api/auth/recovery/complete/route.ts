import { routes } from "@/contract/routes";
import { completeRecovery } from "@/lib/accounts/recovery-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.recoveryComplete, ({ body }) => completeRecovery(body));
