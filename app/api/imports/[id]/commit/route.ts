import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { commitMyImport } from "@/lib/records/import-service";

export const POST = handle(routes.imports.commit, ({ params }) => commitMyImport(params.id));
