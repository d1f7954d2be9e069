import { routes } from "@/contract/routes";
import { changeMyEmergencySet } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.emergencyContacts.change, ({ params, body }) => changeMyEmergencySet(params.id, body));
