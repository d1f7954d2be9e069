import { routes } from "@/contract/routes";
import { replaceMyBundle } from "@/lib/accounts/vault-service";
import { handle } from "@/lib/http/route";

export const PUT = handle(routes.vault.putBundle, ({ body }) => replaceMyBundle(body));
