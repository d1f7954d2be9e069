import "server-only";
import { config } from "@/lib/config";
import type { RelyingParty } from "./webauthn";

export function relyingParty(): RelyingParty {
  const { rpId, appOrigin } = config();
  return { id: rpId, origin: appOrigin, name: "Health Safe Cloud" };
}
