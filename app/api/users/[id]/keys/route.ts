import { routes } from "@/contract/routes";
import { keysOf } from "@/lib/directory/lookup-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.directory.userKeys, ({ params }) => keysOf(params.id));
