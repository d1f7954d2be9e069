import { routes } from "@/contract/routes";
import { findClinicians } from "@/lib/directory/lookup-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.directory.search, ({ query }) => findClinicians(query.q));
