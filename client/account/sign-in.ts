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
 * Hands one sign-in on a page the right to go on once its passkey has answered. The sign-in page
 * runs two ceremonies side by side, the passkey autofill and the button; when both get an answer
 * (a press in the moment the autofill's passkey was picked) only the first goes on to the server,
 * so that one session is made and the page navigates once. A sign-in that fails gives the right
 * back, so that the person can try again.
 */
export class SignInClaim {
  private held = false;

  /** True for the first caller; false while another sign-in holds the claim. */
  take(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  release(): void {
    this.held = false;
  }
}

/** Thrown by `signIn` when another sign-in on the page took the claim first: not a failure to show. */
export class SignInSupersededError extends Error {
  constructor() {
    super("Another sign-in on this page went first.");
    this.name = "SignInSupersededError";
  }
}

/**
 * Usernameless passkey sign-in, then the vault unlocks by PRF or this device's key when it can.
 * With `claim`, the assertion goes to the server only if the claim is taken once the passkey
 * has answered; the claim stays held after a success and is released after a failure.
 * @throws ApiError (refused, unreachable), IntegrityError (vault material that does not verify),
 *   SignInSupersededError (another sign-in holds `claim`), the browser's DOMException (cancelled).
 */
export async function signIn(
  { autofill = false, onAsserted, claim }: { autofill?: boolean; onAsserted?: () => void; claim?: SignInClaim } = {},
  transport: Transport = httpTransport,
): Promise<UnlockOutcome> {
  const options = await transport.call(routes.auth.signInOptions, {});
  const assertion = await getPasskeyAssertion(options, { autofill });
  if (claim && !claim.take()) {
    assertion.prfOutput?.fill(0);
    throw new SignInSupersededError();
  }
  onAsserted?.();
  try {
    await transport.call(routes.auth.signInVerify, { body: { credential: assertion.response } });
    const material = await transport.call(routes.vault.get, {});
    const secrets: UnlockSecret[] = [];
    if (assertion.prfOutput) secrets.push({ kind: "prf", credentialId: assertion.credentialId, prfOutput: assertion.prfOutput });
    secrets.push({ kind: "device" });
    return await unlockWith(material, secrets);
  } catch (error) {
    claim?.release();
    throw error;
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
