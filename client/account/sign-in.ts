import { decodeRecoveryKey } from "@/crypto";
import type { VaultMaterial } from "@/contract/account";
import { routes } from "@/contract/routes";
import { wrapForThisDevice } from "../keystore/account-keys";
import { httpTransport, type Transport } from "../transport/api";
import { getPasskeyAssertion } from "./passkeys";
import { openVault, RecoveryKeyRefusedError, type UnlockSecret } from "../keystore/unlock";
import { useVault } from "../keystore/vault-store";

export type UnlockOutcome = "unlocked" | "needs-recovery-key";

async function unlockWith(material: VaultMaterial, secrets: UnlockSecret[]): Promise<UnlockOutcome> {
  for (const secret of secrets) {
    const opened = await openVault(material, secret);
    if (opened) {
      useVault.getState().unlock({ status: "unlocked", userId: material.userId, role: material.role, ...opened });
      return "unlocked";
    }
  }
  return "needs-recovery-key";
}

/**
 * Usernameless passkey sign-in, then the vault unlocks by PRF or this device's key when it can.
 * @throws ApiError (refused, unreachable), IntegrityError (vault material that does not verify).
 */
export async function signIn(
  { autofill = false, onAsserted }: { autofill?: boolean; onAsserted?: () => void } = {},
  transport: Transport = httpTransport,
): Promise<UnlockOutcome> {
  const options = await transport.call(routes.auth.signInOptions, {});
  const assertion = await getPasskeyAssertion(options, { autofill });
  onAsserted?.();
  await transport.call(routes.auth.signInVerify, { body: { credential: assertion.response } });
  const material = await transport.call(routes.vault.get, {});
  const secrets: UnlockSecret[] = [];
  if (assertion.prfOutput) secrets.push({ kind: "prf", credentialId: assertion.credentialId, prfOutput: assertion.prfOutput });
  secrets.push({ kind: "device" });
  try {
    return await unlockWith(material, secrets);
  } finally {
    assertion.prfOutput?.fill(0);
  }
}

/** For a signed-in page whose vault is locked (a reload): this device's key, if it has one. */
export async function unlockOnThisDevice(transport: Transport = httpTransport): Promise<UnlockOutcome> {
  const material = await transport.call(routes.vault.get, {});
  return unlockWith(material, [{ kind: "device" }]);
}

/**
 * Unlocks with the recovery key typed by the person, then remembers this device (a new
 * device-key wrap) so the next sign-in here needs no recovery key.
 * @throws CryptoError "checksum-mismatch" for a mistyped key; RecoveryKeyRefusedError for a key
 *   that does not open this vault; IntegrityError, ApiError.
 */
export async function unlockWithRecoveryKey(recoveryKeyText: string, transport: Transport = httpTransport): Promise<void> {
  const recoveryKey = decodeRecoveryKey(recoveryKeyText);
  try {
    const material = await transport.call(routes.vault.get, {});
    const outcome = await unlockWith(material, [{ kind: "recovery", recoveryKey }]);
    if (outcome !== "unlocked") throw new RecoveryKeyRefusedError();
  } finally {
    recoveryKey.fill(0);
  }
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") return;
  const wrap = await wrapForThisDevice(vault.userId, vault.keys.vaultKey);
  await transport.call(routes.vault.addDeviceWrap, { body: wrap });
}

/** Ends the session on the server and wipes every key from memory. */
export async function signOut(transport: Transport = httpTransport): Promise<void> {
  useVault.getState().lock("signed-out");
  await transport.call(routes.auth.signOut, {});
}
