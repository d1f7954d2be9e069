import { create } from "zustand";
import type { GrantChangeResult, GrantSummary } from "@/contract/sharing";
import { httpTransport, type Transport } from "../transport/api";
import { unlockedVault, useVault, type UnlockedVault } from "../keystore/vault-store";
import { changeGrant, listGrants, revokeGrant, revokeGrantRecord, shareRecords, type ShareInput } from "./sharing";
import { shareWithTeam } from "../teams/team-sharing";

interface GrantsState {
  /** Whose grants these are: another person's vault (a new sign-in in this tab) loads afresh. */
  userId: string | null;
  /** The patient's grants as last loaded and checked against the rollback guard; null until loaded. */
  grants: GrantSummary[] | null;
  /**
   * The grants, loaded once per vault and kept until a write changes them (`refresh` to re-read).
   * A failed load (a rolled-back list, say) clears what was held and throws.
   */
  load(options?: { refresh?: boolean }): Promise<GrantSummary[]>;
  share(input: ShareInput): Promise<string>;
  /** Shares with a care team (client/teams/team-sharing.ts), dropping the list held as every write does. */
  shareWithTeam(input: Parameters<typeof shareWithTeam>[0]): Promise<Awaited<ReturnType<typeof shareWithTeam>>>;
  change(grant: GrantSummary, next: Parameters<typeof changeGrant>[1]): Promise<GrantChangeResult>;
  revoke(grantId: string): Promise<void>;
  revokeRecord(grantId: string, recordId: string): Promise<void>;
}

/**
 * The patient's grants for every page of this tab (sharing, history): loaded once, read again
 * after each share, change and revoke made through it (the next `load`), dropped when the vault locks. The
 * services take the vault and transport; this store passes the open vault and `transport`.
 */
export function createGrantsStore(vault: () => UnlockedVault = unlockedVault, transport: Transport = httpTransport) {
  return create<GrantsState>((set, get) => {
    const reload = async () => {
      const open = vault();
      // Nothing is held while loading, so a list that fails (a rolled-back one) never stays shown.
      set({ userId: null, grants: null });
      const grants = await listGrants(open, transport);
      set({ userId: open.userId, grants });
      return grants;
    };
    // Dropped even when the write failed (one cut off in transit may have been done): the next `load` reads afresh.
    const thenReload = async <T>(write: () => Promise<T>): Promise<T> => {
      try {
        return await write();
      } finally {
        set({ userId: null, grants: null });
      }
    };
    return {
      userId: null,
      grants: null,
      load: async (options = {}) => {
        const { userId, grants } = get();
        if (!options.refresh && grants && userId === vault().userId) return grants;
        return reload();
      },
      share: (input) => thenReload(() => shareRecords(input, vault(), transport)),
      shareWithTeam: (input) => thenReload(() => shareWithTeam(input, vault(), transport)),
      change: (grant, next) => thenReload(() => changeGrant(grant, next, vault(), transport)),
      revoke: (grantId) => thenReload(() => revokeGrant(grantId, transport)),
      revokeRecord: (grantId, recordId) => thenReload(() => revokeGrantRecord(grantId, recordId, transport)),
    };
  });
}

export const useGrants = createGrantsStore();

// Nothing of a person's sharing stays in memory once their vault is locked or they sign out.
useVault.subscribe((state) => {
  if (state.vault.status !== "unlocked") useGrants.setState({ userId: null, grants: null });
});
