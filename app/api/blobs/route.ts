import { routes } from "@/contract/routes";
import { startUpload } from "@/lib/blobs/blob-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.blobs.start, ({ body }) => startUpload(body));
