import { routes } from "@/contract/routes";
import { publishedAdminKeys } from "@/lib/directory/verification-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.directoryVerification.admins, () => publishedAdminKeys());
