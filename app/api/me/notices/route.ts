import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { listMyNotices } from "@/lib/notices/notice-service";

export const GET = handle(routes.notices.list, () => listMyNotices());
