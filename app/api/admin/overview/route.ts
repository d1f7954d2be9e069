import { routes } from "@/contract/routes";
import { overview } from "@/lib/admin/admin-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.adminConsole.overview, () => overview());
