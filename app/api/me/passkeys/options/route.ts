import { routes } from "@/contract/routes";
import { beginAddPasskey } from "@/lib/accounts/security-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.security.addPasskeyOptions, () => beginAddPasskey());
