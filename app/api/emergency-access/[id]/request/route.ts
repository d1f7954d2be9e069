import { routes } from "@/contract/routes";
import { requestAccess } from "@/lib/emergency/emergency-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.emergencyAccess.request, ({ params }) => requestAccess(params.id));
