import { routes } from "@/contract/routes";
import { myStorage } from "@/lib/blobs/blob-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.security.storage, () => myStorage());
