import { routes } from "@/contract/routes";
import { completeSignIn } from "@/lib/auth/sign-in-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.signInVerify, ({ request, body }) => completeSignIn(request, body.credential));
