import { routes } from "@/contract/routes";
import { myKeyMaintenance } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.keyMaintenance.pending, () => myKeyMaintenance());
