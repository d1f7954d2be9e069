import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { addToMyImport } from "@/lib/records/import-service";

export const POST = handle(routes.imports.addRecords, ({ params, body }) => addToMyImport(params.id, body.records));
