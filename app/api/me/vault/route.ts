import { routes } from "@/contract/routes";
import { getMyVault } from "@/lib/accounts/vault-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.vault.get, () => getMyVault());
