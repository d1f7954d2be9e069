import { routes } from "@/contract/routes";
import { removePasskey, renamePasskey } from "@/lib/accounts/security-service";
import { handle } from "@/lib/http/route";

export const PATCH = handle(routes.security.renamePasskey, ({ params, body }) => renamePasskey(params.id, body.name));

export const DELETE = handle(routes.security.removePasskey, ({ params }) => removePasskey(params.id));
