import { routes } from "@/contract/routes";
import { downloadChunk, uploadChunk } from "@/lib/blobs/blob-service";
import { handle } from "@/lib/http/route";

export const PUT = handle(routes.blobs.putChunk, ({ params, body }) => uploadChunk(params.id, params.index, body));

export const GET = handle(routes.blobs.getChunk, ({ params }) => downloadChunk(params.id, params.index));
