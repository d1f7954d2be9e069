import { create } from "zustand";
import { httpTransport, type Transport } from "../transport/api";
import { unlockedVault, useVault, type UnlockedVault } from "../keystore/vault-store";
import type { RecordDocument } from "../records/records";
import { contributeRecord, loadSharedWithMe, type SharedPatient } from "./sharing";
import type { PagingProgress } from "../records/record-pages";

interface SharedState {
  /** Whose list this is: another person's vault (a new sign-in in this tab) loads afresh. */
  userId: string | null;
  /** What patients share with this clinician, verified and decrypted; null until loaded whole. */
  patients: SharedPatient[] | null;
  /** While a list not loaded yet arrives page by page: what is verified so far (the last patient's records as far as they came); null otherwise. */
  partial: SharedPatient[] | null;
  /** How far that load has come; null when none is under way. */
  progress: PagingProgress | null;
  /** The list, loaded and verified once per vault and kept until a write changes it (`refresh` to re-read). */
  load(options?: { refresh?: boolean; pageSize?: number }): Promise<SharedPatient[]>;
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
    partial: null,
    progress: null,
    load: async (options = {}) => {
      const open = vault();
      const { userId, patients } = get();
      if (!options.refresh && patients && userId === open.userId) return patients;
      set({ userId: null, patients: null, partial: null, progress: null });
      try {
        const loaded = await loadSharedWithMe(open, transport, {
          pageSize: options.pageSize,
          // Shown as pages arrive, unless the vault locked (or someone else unlocked) meanwhile.
          onPage: (partial, progress) => {
            const current = useVault.getState().vault;
            if (current.status === "unlocked" && current.userId === open.userId) set({ partial, progress });
          },
        });
        set({ userId: open.userId, patients: loaded, partial: null, progress: null });
        return loaded;
      } finally {
        set({ partial: null, progress: null });
      }
    },
    contribute: async (grantId, document) => {
      try {
        return await contributeRecord(grantId, document, vault(), transport);
      } finally {
        set({ userId: null, patients: null, partial: null, progress: null });
      }
    },
  }));
}

export const useSharedWithMe = createSharedStore();

// Decrypted records never outlive the open vault.
useVault.subscribe((state) => {
  if (state.vault.status !== "unlocked") useSharedWithMe.setState({ userId: null, patients: null, partial: null, progress: null });
});
