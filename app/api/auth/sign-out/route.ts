import { routes } from "@/contract/routes";
import { signOut } from "@/lib/auth/sign-in-service";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.auth.signOut, () => signOut());
