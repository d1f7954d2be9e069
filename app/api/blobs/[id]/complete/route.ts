import { routes } from "@/contract/routes";
import { completeUpload } from "@/lib/blobs/blob-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.blobs.complete, ({ params }) => completeUpload(params.id));
