import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { startMyImport } from "@/lib/records/import-service";

export const POST = handle(routes.imports.start, () => startMyImport());
