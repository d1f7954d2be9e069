import { create } from "zustand";
import { describeFailure } from "@/client/failures";
import { loadChart, type ChartEntry } from "@/client/records/records";

interface ChartState {
  entries: ChartEntry[] | null;
  error: string | null;
  reload(): Promise<void>;
}

/** The decrypted chart, in memory only, refreshed after every change. */
export const useChart = create<ChartState>((set) => ({
  entries: null,
  error: null,
  reload: async () => {
    try {
      set({ entries: await loadChart(), error: null });
    } catch (caught) {
      // A programming error is rethrown by describeFailure, never worded as an outage.
      set({
        error: describeFailure(caught, {
          accessEnded: "Your chart could not be loaded. Reload the page.",
          integrity: "Your chart could not be verified: it may have been altered on the server. Reload the page; if this stays, contact support.",
          unreachable: "Your chart could not be loaded. Check your connection and reload the page.",
        }),
      });
    }
  },
}));

/**
 * Re-reads the chart if this page holds one, so that nothing shown afterwards points at
 * what a change in the background replaced (a key rotation deletes the file under the old
 * key). Resolves once the fresh chart is in place; a chart never loaded stays unloaded.
 */
export async function refreshChartIfLoaded(): Promise<void> {
  if (useChart.getState().entries !== null) await useChart.getState().reload();
}
