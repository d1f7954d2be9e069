import { routes } from "@/contract/routes";
import { openEmergencyAccess } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.emergencyAccess.open, ({ params }) => openEmergencyAccess(params.id));
