import { create } from "zustand";
import { httpTransport, type Transport } from "../transport/api";
import { unlockedVault, useVault, type UnlockedVault } from "../keystore/vault-store";
import type { RecordDocument } from "../records/records";
import { contributeRecord, loadSharedWithMe, type SharedPatient } from "./sharing";

interface SharedState {
  /** Whose list this is: another person's vault (a new sign-in in this tab) loads afresh. */
  userId: string | null;
  /** What patients share with this clinician, verified and decrypted; null until loaded. */
  patients: SharedPatient[] | null;
  /** The list, loaded and verified once per vault and kept until a write changes it (`refresh` to re-read). */
  load(options?: { refresh?: boolean }): Promise<SharedPatient[]>;
  /** Adds a note to a patient's chart under a grant; the next `load` reads the list afresh. */
  contribute(grantId: string, document: RecordDocument): Promise<string>;
}

/**
 * What is shared with this clinician, for every page of this tab: verified and decrypted once,
 * not again on each visit; read again after the clinician adds a note, dropped (decrypted
 * records included) when the vault locks.
 */
export function createSharedStore(vault: () => UnlockedVault = unlockedVault, transport: Transport = httpTransport) {
  return create<SharedState>((set, get) => ({
    userId: null,
    patients: null,
    load: async (options = {}) => {
      const open = vault();
      const { userId, patients } = get();
      if (!options.refresh && patients && userId === open.userId) return patients;
      set({ userId: null, patients: null });
      const loaded = await loadSharedWithMe(open, transport);
      set({ userId: open.userId, patients: loaded });
      return loaded;
    },
    contribute: async (grantId, document) => {
      try {
        return await contributeRecord(grantId, document, vault(), transport);
      } finally {
        set({ userId: null, patients: null });
      }
    },
  }));
}

export const useSharedWithMe = createSharedStore();

// Decrypted records never outlive the open vault.
useVault.subscribe((state) => {
  if (state.vault.status !== "unlocked") useSharedWithMe.setState({ userId: null, patients: null });
});
