import { routes } from "@/contract/routes";
import { myEmergencyContacts, nameEmergencyContact } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.emergencyContacts.list, () => myEmergencyContacts());
export const POST = handle(routes.emergencyContacts.create, ({ body }) => nameEmergencyContact(body));
