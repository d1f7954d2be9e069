import { routes } from "@/contract/routes";
import { addDeviceWrap } from "@/lib/accounts/vault-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.vault.addDeviceWrap, ({ body }) => addDeviceWrap(body));
