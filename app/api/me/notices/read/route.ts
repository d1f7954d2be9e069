import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { markMyNoticesRead } from "@/lib/notices/notice-service";

export const POST = handle(routes.notices.markRead, ({ body }) => markMyNoticesRead(body));
