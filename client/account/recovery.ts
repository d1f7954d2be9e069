import { routes } from "@/contract/routes";
import { cryptoReady, decodeRecoveryKey, deriveRecoverySigningKeyPair, signRecoverySignIn, toBase64url } from "@/crypto";
import { wrapForPasskey, wrapForThisDevice } from "../keystore/account-keys";
import { httpTransport, type Transport } from "../transport/api";
import { createPasskey } from "./passkeys";
import { openVault, RecoveryKeyRefusedError } from "../keystore/unlock";
import { useVault } from "../keystore/vault-store";

export type RecoveryProgress = "proving" | "passkey" | "saving";

/**
 * For someone who lost every passkey: prove the recovery key by signing a server
 * challenge, open the vault with it, create a new passkey, and wrap the vault key for it.
 * The recovery key itself never leaves the browser. Returns the new passkey's id and the
 * name the server gave it (its authenticator's model where known, else this browser's
 * description of it), for the person to keep or change.
 */
export async function recoverAccount(
  recoveryKeyText: string,
  onProgress: (step: RecoveryProgress) => void,
  transport: Transport = httpTransport,
): Promise<{ passkey: { id: string; name: string } }> {
  await cryptoReady();
  const recoveryKey = decodeRecoveryKey(recoveryKeyText);
  try {
    onProgress("proving");
    const signing = deriveRecoverySigningKeyPair(recoveryKey);
    const { challenge } = await transport.call(routes.auth.recoveryOptions, {});
    const signature = signRecoverySignIn({ challenge, origin: window.location.origin }, signing.secretKey);
    signing.secretKey.fill(0);
    const proof = await transport.call(routes.auth.recoveryVerify, {
      body: { recoveryPublicKey: toBase64url(signing.publicKey), challenge, signature: toBase64url(signature) },
    });
    const opened = await openVault(proof.vault, { kind: "recovery", recoveryKey });
    if (!opened) throw new RecoveryKeyRefusedError();
    onProgress("passkey");
    const passkey = await createPasskey(proof.options, opened.profile.displayName || "Health Safe Cloud account");
    const vaultWrap = passkey.prfOutput
      ? await wrapForPasskey(proof.userId, passkey.credentialId, passkey.prfOutput, opened.keys.vaultKey)
      : await wrapForThisDevice(proof.userId, opened.keys.vaultKey);
    passkey.prfOutput?.fill(0);
    onProgress("saving");
    const completed = await transport.call(routes.auth.recoveryComplete, {
      body: { userId: proof.userId, passkeyName: passkey.description, credential: passkey.response, vaultWrap },
    });
    useVault.getState().unlock({ status: "unlocked", userId: proof.userId, role: proof.vault.role, ...opened });
    return { passkey: completed.passkey };
  } finally {
    recoveryKey.fill(0);
  }
}
