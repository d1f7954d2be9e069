import { routes } from "@/contract/routes";
import { probeHealth } from "@/lib/health";
import { handle } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = handle(routes.system.health, () => probeHealth());
