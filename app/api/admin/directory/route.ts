import { routes } from "@/contract/routes";
import { directoryForAdmin } from "@/lib/directory/verification-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.directoryVerification.list, () => directoryForAdmin());
