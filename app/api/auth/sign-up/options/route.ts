import { routes } from "@/contract/routes";
import { beginSignUp } from "@/lib/accounts/sign-up-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.signUpOptions, ({ request, body }) => beginSignUp(request, body));
