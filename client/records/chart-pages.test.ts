import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { chartPageLimits } from "@/contract/pages";
import { recordsRoutes } from "@/contract/records";
import { isIntegrityError } from "../integrity";
import { useVault } from "../keystore/vault-store";
import { loadChartInto, loadedChart, useChart } from "./chart-store";
import { progressWords, type PagingProgress } from "./record-pages";
import { loadWholeChart, ownRecordKeys, type ChartEntry } from "./records";
import { noteDocument, patientVault, recordsServer } from "./test-server";

beforeAll(cryptoReady);

// The rollback guard keeps what this browser has seen in localStorage, which Node lacks: a Map stands in.
beforeEach(() => {
  const stored = new Map<string, string>();
  vi.stubGlobal("localStorage", {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => void stored.set(key, value),
    removeItem: (key: string) => void stored.delete(key),
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  useVault.setState({ vault: { status: "locked" } });
});

const notes = (count: number) => Array.from({ length: count }, (_, index) => noteDocument(`Note ${index + 1}`));
const descriptions = (entries: ChartEntry[]) => entries.map((entry) => (entry.status === "ok" ? entry.document.resource.description : entry.status));

describe("the chart in pages", () => {
  it("reads page after page until the server says there is no more, telling each page as it is verified", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.seed(notes(7));
    const told: Array<[number, PagingProgress]> = [];
    const entries = await loadWholeChart(vault, server.transport, { pageSize: 3, onPage: (sofar, progress) => told.push([sofar.length, progress]) });
    expect(descriptions(entries)).toEqual(notes(7).map((note) => note.resource.description));
    expect(server.transport.callsTo(recordsRoutes.list).map((call) => (call.input.query as { limit?: number } | undefined)?.limit)).toEqual([3, 3, 3]);
    expect(told).toEqual([
      [3, { loaded: 3, total: 7 }],
      [6, { loaded: 6, total: 7 }],
      [7, { loaded: 7, total: 7 }],
    ]);
  });

  it("asks for a small first page and large ones after, unless told a page size", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.seed(notes(chartPageLimits.first + 3));
    const entries = await loadWholeChart(vault, server.transport);
    expect(entries).toHaveLength(chartPageLimits.first + 3);
    expect(server.transport.callsTo(recordsRoutes.list).map((call) => (call.input.query as { limit?: number } | undefined)?.limit)).toEqual([
      chartPageLimits.first,
      chartPageLimits.later,
    ]);
  });

  it("loses nothing and repeats nothing when records are added and deleted between pages", async () => {
    const vault = patientVault();
    const server = recordsServer(vault, { pageSize: 2 });
    const ids = server.seed(notes(6));
    let pagesServed = 0;
    const answer = server.transport.handlerOf(recordsRoutes.list);
    server.transport.on(recordsRoutes.list, async (input) => {
      const page = await answer(input);
      pagesServed += 1;
      if (pagesServed === 1) {
        // One served already and one still to come are deleted; one is added (it comes last).
        server.records.delete(ids[0]!);
        server.records.delete(ids[3]!);
        server.seed([noteDocument("Added meanwhile")]);
      }
      return page;
    });
    const entries = await loadWholeChart(vault, server.transport, { pageSize: 2 });
    expect(descriptions(entries)).toEqual(["Note 1", "Note 2", "Note 3", "Note 5", "Note 6", "Added meanwhile"]);
  });

  it("refuses pages that repeat a record, or that say more follow and hold none", async () => {
    const vault = patientVault();
    const server = recordsServer(vault, { pageSize: 2 });
    server.seed(notes(3));
    const answer = server.transport.handlerOf(recordsRoutes.list);
    server.transport.on(recordsRoutes.list, async (input) => {
      const page = await answer(input);
      return input.query?.cursor ? { ...page, records: [...page.records, ...(await answer({ query: {} })).records.slice(0, 1)] } : page;
    });
    const repeated = await loadWholeChart(vault, server.transport, { pageSize: 2 }).catch((caught: unknown) => caught);
    expect(isIntegrityError(repeated) && repeated.code).toBe("shape");

    server.transport.on(recordsRoutes.list, () => ({ records: [], nextCursor: "bW9yZQ", total: 3 }));
    const endless = await loadWholeChart(vault, server.transport).catch((caught: unknown) => caught);
    expect(isIntegrityError(endless) && endless.code).toBe("shape");
  });

  it("gives sharing every record's key, whatever the number of pages", async () => {
    const vault = patientVault();
    const server = recordsServer(vault, { pageSize: 2 });
    const ids = server.seed(notes(5));
    const keys = await ownRecordKeys("all", vault, server.transport);
    expect(keys.map((key) => key.recordId)).toEqual(ids);
  });

  it("shows a chart not shown yet page by page, with its progress, and says when it is whole", async () => {
    const vault = patientVault();
    const server = recordsServer(vault, { pageSize: 2 });
    server.seed(notes(5));
    useVault.setState({ vault });
    const seen: Array<{ shown: number; complete: boolean; progress: PagingProgress | null }> = [];
    const stop = useChart.subscribe((state) => seen.push({ shown: state.entries?.length ?? 0, complete: state.complete, progress: state.progress }));
    expect(await loadChartInto(vault, server.transport, 2)).toHaveLength(5);
    stop();
    // Now whole, pages that need every record get it from memory.
    expect(await loadedChart()).toHaveLength(5);
    expect(seen.filter((state) => !state.complete).map((state) => [state.shown, state.progress?.loaded, state.progress?.total])).toEqual([
      [2, 2, 5],
      [4, 4, 5],
      [5, 5, 5],
    ]);
    expect(useChart.getState()).toMatchObject({ complete: true, progress: null });

    // A reload after a write keeps the whole chart shown until the new one is whole.
    seen.length = 0;
    server.seed([noteDocument("Written since")]);
    const stopAgain = useChart.subscribe((state) => seen.push({ shown: state.entries?.length ?? 0, complete: state.complete, progress: state.progress }));
    await loadChartInto(vault, server.transport, 2);
    stopAgain();
    expect(seen.map((state) => [state.shown, state.complete])).toEqual([[6, true]]);
  });

  it("words the progress for a live region", () => {
    expect(progressWords({ loaded: 0, total: 0 })).toBe("Loading records…");
    expect(progressWords({ loaded: 400, total: 1000 })).toBe("Loading records… 400 of about 1,000 records");
  });
});
