import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { deleteMyRecord, getMyRecord } from "@/lib/records/chart-service";

export const GET = handle(routes.records.get, ({ params }) => getMyRecord(params.id));

export const DELETE = handle(routes.records.remove, ({ params }) => deleteMyRecord(params.id));
