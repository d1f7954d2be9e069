import { routes } from "@/contract/routes";
import { uploadStatus } from "@/lib/blobs/blob-service";
import { handle } from "@/lib/http/route";

export const GET = handle(routes.blobs.describe, ({ params }) => uploadStatus(params.id));
