import { routes } from "@/contract/routes";
import { completeSignUp } from "@/lib/accounts/sign-up-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.signUpVerify, ({ request, body }) => completeSignUp(request, body));
