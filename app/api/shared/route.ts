import { routes } from "@/contract/routes";
import { sharedWithMe } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.shared.list, () => sharedWithMe());
