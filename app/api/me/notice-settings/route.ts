import { routes } from "@/contract/routes";
import { handle } from "@/lib/http/route";
import { myNoticeSettings, updateMyNoticeSettings } from "@/lib/notices/notice-service";

export const GET = handle(routes.notices.settings, () => myNoticeSettings());
export const PUT = handle(routes.notices.updateSettings, ({ body }) => updateMyNoticeSettings(body));
