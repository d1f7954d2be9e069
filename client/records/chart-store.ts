import { create } from "zustand";
import { describeFailure } from "../failures";
import { unlockedVault, useVault, type UnlockedVault } from "../keystore/vault-store";
import { httpTransport, type Transport } from "../transport/api";
import { loadWholeChart, type ChartEntry } from "./records";
import type { PagingProgress } from "./record-pages";

interface ChartState {
  /** The decrypted chart, or null before it was loaded (and after the vault locked); while the first load runs, the pages verified so far. */
  entries: ChartEntry[] | null;
  /** Whether `entries` is the whole chart; false while its pages are still arriving. */
  complete: boolean;
  /** How far the load under way has come, while a chart not shown yet arrives page by page; null otherwise. */
  progress: PagingProgress | null;
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
 * Loads and verifies the whole chart with `vault` over `transport` into the store
 * (client/records/records.ts `loadWholeChart`), unless the vault locked or another person
 * unlocked meanwhile. When no whole chart is shown yet, each page is shown as it is verified,
 * with the progress; otherwise (a reload after a write) the chart shown stays until the new
 * one is whole. Returns the entries.
 * @throws what `loadWholeChart` throws.
 */
export async function loadChartInto(vault: UnlockedVault, transport: Transport, pageSize?: number): Promise<ChartEntry[]> {
  const before = useChart.getState();
  const showPages = !before.complete || before.ownerId !== vault.userId;
  const entries = await loadWholeChart(vault, transport, {
    pageSize,
    onPage: (sofar, progress) => {
      if (showPages && unlockedUserId() === vault.userId) useChart.setState({ entries: sofar, complete: false, progress, error: null, ownerId: vault.userId });
    },
  });
  if (unlockedUserId() === vault.userId) useChart.setState({ entries, complete: true, progress: null, error: null, ownerId: vault.userId });
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
 * @throws what `loadWholeChart` throws; VaultLockedError when the vault is locked.
 */
export async function loadedChart(): Promise<ChartEntry[]> {
  const { entries, complete, ownerId } = useChart.getState();
  if (entries !== null && complete && ownerId === unlockedVault().userId) return entries;
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
  complete: false,
  progress: null,
  error: null,
  ownerId: null,
  ensureLoaded: async () => {
    try {
      await loadedChart();
    } catch (caught) {
      useChart.setState({ error: worded(caught), progress: null, ownerId: unlockedUserId() });
    }
  },
  reload: async () => {
    // A load already under way may have read the chart before this write: let it end, then read again.
    if (loading) await Promise.allSettled([loading]);
    try {
      await load();
    } catch (caught) {
      useChart.setState({ error: worded(caught), progress: null, ownerId: unlockedUserId() });
    }
  },
}));

// Locking (sign-out, a lock before another unlock) drops the decrypted chart from memory; a
// profile update (the same person, still unlocked) keeps it.
useVault.subscribe((state) => {
  const { ownerId, error } = useChart.getState();
  const sameOwner = state.vault.status === "unlocked" && state.vault.userId === ownerId;
  if (!sameOwner && (ownerId !== null || error !== null)) useChart.setState({ entries: null, complete: false, progress: null, error: null, ownerId: null });
});

/**
 * Re-reads the chart if this page holds one, so that nothing shown afterwards points at
 * what a change in the background replaced (a key rotation deletes the file under the old
 * key). Resolves once the fresh chart is in place; a chart never loaded stays unloaded.
 */
export async function refreshChartIfLoaded(): Promise<void> {
  if (useChart.getState().entries !== null) await useChart.getState().reload();
}
