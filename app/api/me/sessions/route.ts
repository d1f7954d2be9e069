import { routes } from "@/contract/routes";
import { listMySessions } from "@/lib/accounts/security-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.security.sessions, () => listMySessions());
