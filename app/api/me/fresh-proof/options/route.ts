import { routes } from "@/contract/routes";
import { beginFreshProof } from "@/lib/auth/fresh-proof";
import { handle } from "@/lib/http/route";

export const POST = handle(routes.security.freshProofOptions, () => beginFreshProof());
