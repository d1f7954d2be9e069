import { routes } from "@/contract/routes";
import { beginSignIn } from "@/lib/auth/sign-in-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.signInOptions, ({ request }) => beginSignIn(request));
