import { routes } from "@/contract/routes";
import { keysByShareCode } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.emergencyContacts.contactKeys, ({ query }) => keysByShareCode(query.code.trim()));
