import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { recordsRoutes } from "@/contract/records";
import { useVault } from "../keystore/vault-store";
import { loadChartInto, loadedChart, useChart } from "./chart-store";
import { noteDocument, patientVault, recordsServer } from "./test-server";

beforeAll(cryptoReady);
afterEach(() => useVault.setState({ vault: { status: "locked" } }));

describe("the chart store", () => {
  it("keeps the chart decrypted once per unlock, for every page, and drops it on lock", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.seed([noteDocument("Kept in memory")]);
    useVault.setState({ vault });
    const loaded = await loadChartInto(vault, server.transport);

    // Another page asks: the chart in memory, no second download or decryption.
    expect(await loadedChart()).toBe(loaded);
    expect(server.transport.callsTo(recordsRoutes.list)).toHaveLength(1);
    // A profile change (the same person, still unlocked) keeps it.
    useVault.setState({ vault: { ...vault, profile: { displayName: "Renamed" } } });
    expect(useChart.getState().entries).toBe(loaded);

    useVault.getState().lock();
    expect(useChart.getState()).toMatchObject({ entries: null, ownerId: null });
  });

  it("does not keep a chart that finished loading after the vault locked", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.seed([noteDocument("Not for the next person")]);
    useVault.setState({ vault });
    const loading = loadChartInto(vault, server.transport);
    useVault.setState({ vault: { status: "locked" } });
    await loading;
    expect(useChart.getState().entries).toBeNull();
  });
});
