import { routes } from "@/contract/routes";
import { contributeToChart, sharedRecords } from "@/lib/grants/sharing-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.shared.records, ({ params, query }) => sharedRecords(params.grantId, query));
/** A clinician with the contribute permission adds a record to the patient's chart. */
export const POST = handle(routes.shared.contribute, ({ params, body }) => contributeToChart(params.grantId, body));
