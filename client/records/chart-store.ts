import { create } from "zustand";
import { describeFailure } from "../failures";
import { unlockedVault, useVault, type UnlockedVault } from "../keystore/vault-store";
import { httpTransport, type Transport } from "../transport/api";
import { loadChart, type ChartEntry } from "./records";

interface ChartState {
  /** The decrypted chart, or null before it was loaded (and after the vault locked). */
  entries: ChartEntry[] | null;
  /** Why the last load failed, worded for the person; null after a load that worked. */
  error: string | null;
  /** Whose chart `entries` is, so a later unlock by someone else never shows it. */
  ownerId: string | null;
  /** Loads the chart unless it is already loaded for the person unlocked; a failure is worded into `error`. */
  ensureLoaded(): Promise<void>;
  /** Loads the chart again (after a write), replacing what is shown once the new one is verified; a failure is worded into `error`. */
  reload(): Promise<void>;
}

const unlockedUserId = () => {
  const vault = useVault.getState().vault;
  return vault.status === "unlocked" ? vault.userId : null;
};

/**
 * Loads and verifies the chart with `vault` over `transport` into the store (client/records/records.ts
 * `loadChart`), unless the vault locked or another person unlocked meanwhile. Returns the entries.
 * @throws what `loadChart` throws.
 */
export async function loadChartInto(vault: UnlockedVault, transport: Transport): Promise<ChartEntry[]> {
  const entries = await loadChart(vault, transport);
  if (unlockedUserId() === vault.userId) useChart.setState({ entries, error: null, ownerId: vault.userId });
  return entries;
}

/** The load under way, shared by every page that asks meanwhile. */
let loading: Promise<ChartEntry[]> | null = null;

function load(): Promise<ChartEntry[]> {
  loading ??= loadChartInto(unlockedVault(), httpTransport).finally(() => {
    loading = null;
  });
  return loading;
}

/**
 * The chart for page code that needs the entries themselves (sharing, history): the one in
 * memory when it is loaded for the person unlocked, otherwise loaded (once, whoever asks).
 * @throws what `loadChart` throws; VaultLockedError when the vault is locked.
 */
export async function loadedChart(): Promise<ChartEntry[]> {
  const { entries, ownerId } = useChart.getState();
  if (entries !== null && ownerId === unlockedVault().userId) return entries;
  return load();
}

function worded(caught: unknown): string {
  // A programming error is rethrown by describeFailure, never worded as an outage or as tampering.
  return describeFailure(caught, {
    accessEnded: "Your chart could not be loaded. Reload the page.",
    integrity: "Your chart could not be verified: it may have been altered on the server. Reload the page; if this stays, contact support.",
    unreachable: "Your chart could not be loaded. Check your connection and reload the page.",
  });
}

/**
 * The decrypted chart, in memory only: loaded once per unlock and shared by every page (the
 * chart, sharing, history), refreshed after each write (a new record, a new version, a
 * deletion, a key rotation), and dropped when the vault locks.
 */
export const useChart = create<ChartState>(() => ({
  entries: null,
  error: null,
  ownerId: null,
  ensureLoaded: async () => {
    try {
      await loadedChart();
    } catch (caught) {
      useChart.setState({ error: worded(caught), ownerId: unlockedUserId() });
    }
  },
  reload: async () => {
    // A load already under way may have read the chart before this write: let it end, then read again.
    if (loading) await Promise.allSettled([loading]);
    try {
      await load();
    } catch (caught) {
      useChart.setState({ error: worded(caught), ownerId: unlockedUserId() });
    }
  },
}));

// Locking (sign-out, a lock before another unlock) drops the decrypted chart from memory; a
// profile update (the same person, still unlocked) keeps it.
useVault.subscribe((state) => {
  const { ownerId, error } = useChart.getState();
  const sameOwner = state.vault.status === "unlocked" && state.vault.userId === ownerId;
  if (!sameOwner && (ownerId !== null || error !== null)) useChart.setState({ entries: null, error: null, ownerId: null });
});

/**
 * Re-reads the chart if this page holds one, so that nothing shown afterwards points at
 * what a change in the background replaced (a key rotation deletes the file under the old
 * key). Resolves once the fresh chart is in place; a chart never loaded stays unloaded.
 */
export async function refreshChartIfLoaded(): Promise<void> {
  if (useChart.getState().entries !== null) await useChart.getState().reload();
}
