import { create } from "zustand";
import { loadChart, type ChartEntry } from "@/lib/client/records";

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
    } catch {
      set({ error: "Your chart could not be loaded. Check your connection and reload the page." });
    }
  },
}));
