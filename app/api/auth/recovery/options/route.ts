import { routes } from "@/contract/routes";
import { beginRecovery } from "@/lib/accounts/recovery-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.recoveryOptions, ({ request }) => beginRecovery(request));
