import { routes } from "@/contract/routes";
import { answerMyEmergencyRequest } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.emergencyContacts.refuse, ({ params }) => answerMyEmergencyRequest(params.id, "refuse"));
