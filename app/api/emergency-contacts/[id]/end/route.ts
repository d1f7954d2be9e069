import { routes } from "@/contract/routes";
import { endMyEmergencyContact } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.emergencyContacts.end, ({ params }) => endMyEmergencyContact(params.id));
