import { routes } from "@/contract/routes";
import { currentRecoveryKey, replaceRecoveryKey } from "@/lib/accounts/security-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.security.recoveryKey, () => currentRecoveryKey());

export const PUT = handle(routes.security.replaceRecoveryKey, ({ body }) => replaceRecoveryKey(body));
