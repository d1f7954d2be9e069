import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { abandonMyImport } from "@/lib/records/import-service";

export const DELETE = handle(routes.imports.abandon, ({ params }) => abandonMyImport(params.id));
