import { create } from "zustand";
import { failureKind } from "../failures";
import { useVault, type UnlockedVault } from "../keystore/vault-store";
import { checkPinnedContacts, type ContactKeyCheck } from "../sharing/contact-key-check";
import { httpTransport, type Transport } from "../transport/api";

/**
 * The notice centre's browser-made notices: pinned contacts whose keys changed
 * (client/sharing/contact-key-check.ts). Kept per tab for the open vault, shared by the
 * navigation's badge and the notice centre, and never sent anywhere.
 */
interface KeyChangeState {
  /** Whose vault and which pins the last check was of: another vault, or pins changed (a re-verify), checks again. */
  checkedFor: string | null;
  check: ContactKeyCheck | null;
  /** Checks the vault's pins now (`fresh`), or unless already checked for these pins; returns the result. */
  run(vault: UnlockedVault, options?: { fresh?: boolean; transport?: Transport }): Promise<ContactKeyCheck>;
}

const pinsOf = (vault: UnlockedVault) => `${vault.userId}:${JSON.stringify(vault.profile.contacts ?? {})}`;
let running: { key: string; promise: Promise<ContactKeyCheck> } | null = null;

export const useKeyChanges = create<KeyChangeState>((set, get) => ({
  checkedFor: null,
  check: null,
  run: async (vault, options = {}) => {
    const key = pinsOf(vault);
    const known = get().check;
    if (!options.fresh && get().checkedFor === key && known) return known;
    if (running?.key === key) return running.promise;
    const promise = checkPinnedContacts(vault, options.transport ?? httpTransport).then(
      (check) => {
        if (running?.key === key) running = null;
        const current = useVault.getState().vault;
        if (current.status === "unlocked" && pinsOf(current) === key) set({ checkedFor: key, check });
        return check;
      },
      (error: unknown) => {
        if (running?.key === key) running = null;
        throw error;
      },
    );
    running = { key, promise };
    return promise;
  },
}));

/** How many contacts' keys changed, as far as this tab has checked (0 before a check, or with the vault locked). */
export const useKeyChangeCount = () => useKeyChanges((state) => state.check?.changed.length ?? 0);

/**
 * Checks once per vault and pins for the navigation's badge, quietly: a failure to check is
 * not shown there (the notice centre says it), a programming error is thrown.
 */
export function checkKeysQuietly(vault: UnlockedVault): void {
  useKeyChanges
    .getState()
    .run(vault)
    .catch((error: unknown) => {
      if (failureKind(error) === null) throw error;
    });
}

// A locked vault's pins are not known: what was found goes with it.
useVault.subscribe((state) => {
  if (state.vault.status !== "unlocked") useKeyChanges.setState({ checkedFor: null, check: null });
});
