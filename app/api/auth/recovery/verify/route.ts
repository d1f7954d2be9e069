import { routes } from "@/contract/routes";
import { proveRecovery } from "@/lib/accounts/recovery-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.recoveryVerify, ({ request, body }) => proveRecovery(request, body));
