import { routes } from "@/contract/routes";
import { recordDirectoryStatement } from "@/lib/directory/verification-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.directoryVerification.record, ({ params, body }) => recordDirectoryStatement(params.id, body));
