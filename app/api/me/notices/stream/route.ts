import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { myNoticeStream } from "@/lib/notices/notice-service";

/** Server-sent events: never cached or prerendered, one stream per request. */
export const dynamic = "force-dynamic";

export const GET = handle(routes.notices.stream, ({ request, query }) => myNoticeStream(request, query.seconds));
