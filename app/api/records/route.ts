import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { createMyRecords, getMyChart } from "@/lib/records/chart-service";

export const GET = handle(routes.records.list, ({ request, query }) => getMyChart(query, request.headers));

// An imported bundle arrives in as few requests as fit (client/records/records.ts splits larger ones).
export const POST = handle(routes.records.create, ({ body }) => createMyRecords(body.records));
