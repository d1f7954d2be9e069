import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { rotateMyRecordKey } from "@/lib/records/chart-service";

export const POST = handle(routes.records.rotate, ({ params, body }) => rotateMyRecordKey(params.id, body));
