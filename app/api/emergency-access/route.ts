import { routes } from "@/contract/routes";
import { myEmergencyRoles } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.emergencyAccess.list, () => myEmergencyRoles());
