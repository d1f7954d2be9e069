import { routes } from "@/contract/routes";
import { forgetDeviceKey } from "../keystore/device-key";
import { useVault, type UnlockedVault } from "../keystore/vault-store";
import { httpTransport, type Transport } from "../transport/api";
import { withFreshProof } from "./fresh-proof";

/** What the person types to confirm that their account is to be deleted. */
export const deletionPhrase = "delete my account";

/** Whether `typed` is the confirmation phrase (case and surrounding spaces aside). */
export const confirmsDeletion = (typed: string) => typed.trim().toLowerCase() === deletionPhrase;

/**
 * Deletes the signed-in account and everything in it (DELETE /api/me?userId=, naming the account
 * this vault belongs to), asking for a passkey tap first when the server wants a fresh proof; then
 * forgets this browser's device key for the account and locks the vault. Returns the id under
 * which the account's audit trail is kept (README "Leaving").
 * @throws ApiError (the server refused: another account signed in meanwhile, no session),
 *   FreshProofNotGivenError (the tap was not given): nothing was deleted then.
 */
export async function deleteOwnAccount(vault: UnlockedVault, transport: Transport = httpTransport): Promise<{ trailId: string }> {
  const { trailId } = await withFreshProof(() => transport.call(routes.security.deleteAccount, { query: { userId: vault.userId } }), transport);
  useVault.getState().lock("signed-out");
  try {
    await forgetDeviceKey(vault.userId);
  } catch (error) {
    // The account is gone either way; a device key left in this browser opens nothing any more.
    if (!(error instanceof DOMException)) throw error;
  }
  return { trailId };
}
