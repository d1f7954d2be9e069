import { routes } from "@/contract/routes";
import { completeFreshProof } from "@/lib/auth/fresh-proof";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.security.freshProof, ({ request, body }) => completeFreshProof(request, body.credential));
