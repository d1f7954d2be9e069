import { routes } from "@/contract/routes";
import { getHealth } from "@/lib/health";
import { handle } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = handle(routes.system.health, () => getHealth());
