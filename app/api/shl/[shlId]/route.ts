import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { openDirectFile, openManifest } from "@/lib/links/public-link-service";

// No session is read here and no cookie set: any viewer on any site opens links (proxy.ts adds CORS).
export const GET = handle(routes.shl.file, ({ request, params, query }) => openDirectFile(request, params.shlId, query.recipient));
export const POST = handle(routes.shl.manifest, ({ request, params, body }) => openManifest(request, params.shlId, body));
