import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { rotateMyRecordKeys } from "@/lib/records/chart-service";

export const POST = handle(routes.records.rotateMany, ({ body }) => rotateMyRecordKeys(body.rotations));
