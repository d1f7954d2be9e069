import type { DirectoryEntryInput } from "@/contract/auth";
import type { AccountRole } from "@/contract/common";
import { routes } from "@/contract/routes";
import { createAccountKeys } from "../keystore/account-keys";
import { httpTransport, type Transport } from "../transport/api";
import { browserAndSystem, createPasskey } from "./passkeys";
import { useVault } from "../keystore/vault-store";

export type SignUpProgress = "passkey" | "keys" | "saving";

/**
 * The whole sign-up ceremony. The patient's name goes into the encrypted vault and onto
 * the passkey (set in the browser); a clinician's directory entry is public by choice. An
 * administrator's sign-up carries the operator's enrolment token in both requests: the
 * first so that a wrong token is refused before a passkey is made, the second because it
 * is the one that creates the account.
 */
export async function signUp(
  input: { role: AccountRole; displayName: string; directory?: DirectoryEntryInput; passkeyName: string; enrolmentToken?: string },
  onProgress: (step: SignUpProgress) => void,
  transport: Transport = httpTransport,
): Promise<{ recoveryKeyText: string; prf: boolean }> {
  onProgress("passkey");
  const enrolmentToken = input.role === "admin" ? input.enrolmentToken : undefined;
  const { userId, options } = await transport.call(routes.auth.signUpOptions, { body: { role: input.role, enrolmentToken } });
  const passkey = await createPasskey(options, input.displayName);
  onProgress("keys");
  const created = await createAccountKeys({
    userId,
    role: input.role,
    credentialId: passkey.credentialId,
    prfOutput: passkey.prfOutput,
    profile: { displayName: input.displayName },
  });
  passkey.prfOutput?.fill(0);
  onProgress("saving");
  try {
    await transport.call(routes.auth.signUpVerify, {
      body: {
        userId,
        role: input.role,
        directory: input.role === "doctor" || input.role === "nurse" ? input.directory : undefined,
        passkeyName: input.passkeyName,
        credential: passkey.response,
        keys: created.payload,
        enrolmentToken,
      },
    });
  } catch (error) {
    forgetPasskey(options.rp.id ?? window.location.hostname, passkey.credentialId);
    throw error;
  }
  useVault.getState().unlock({
    status: "unlocked",
    userId,
    role: input.role,
    keys: created.keys,
    profile: { displayName: input.displayName },
  });
  return { recoveryKeyText: created.recoveryKeyText, prf: passkey.prfEnabled };
}

/** A readable default name for a new passkey ("Chrome on Linux"), from what the browser says it runs on. */
export const defaultPasskeyName = (): string => browserAndSystem(navigator.userAgent);

/** Asks the authenticator to drop a passkey the server never stored (where browsers support it). */
function forgetPasskey(rpId: string, credentialId: string): void {
  const signal = (PublicKeyCredential as unknown as { signalUnknownCredential?: (options: { rpId: string; credentialId: string }) => Promise<void> })
    .signalUnknownCredential;
  // Best effort: a browser that refuses (a DOMException) keeps offering the passkey, which then fails to sign in.
  void signal?.call(PublicKeyCredential, { rpId, credentialId }).catch((error: unknown) => {
    if (!(error instanceof DOMException)) throw error;
  });
}
