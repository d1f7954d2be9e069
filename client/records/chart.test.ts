import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cryptoReady, type VaultKey } from "@/crypto";
import { recordsRoutes } from "@/contract/records";
import { isIntegrityError, type IntegrityCode } from "../integrity";
import { ApiError, httpTransport } from "../transport/api";
import { routes } from "@/contract/routes";
import { loadWholeChart, loadRecord, olderThanSeen, saveVersion, type ChartEntry, type OkEntry } from "./records";
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
afterEach(() => vi.unstubAllGlobals());

const flip = (base64url: string, at: number) => {
  const bytes = Buffer.from(base64url, "base64url");
  const index = at < 0 ? bytes.length + at : at;
  bytes[index]! ^= 0x01;
  return bytes.toString("base64url");
};

const ok = (entries: ChartEntry[]) => entries.filter((entry): entry is OkEntry => entry.status === "ok");
const failureOf = (entries: ChartEntry[], id: string): IntegrityCode | undefined => {
  const entry = entries.find((candidate) => candidate.id === id);
  return entry?.status === "invalid" ? entry.failure.code : undefined;
};
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

describe("loadWholeChart", () => {
  it("opens every record after verifying every version's statement", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const [first, second] = server.seed([noteDocument("Blood pressure 120/80."), noteDocument("Allergic to penicillin.")]);
    const [entry] = ok(await loadWholeChart(vault, server.transport)).filter((candidate) => candidate.id === first);
    await saveVersion(entry!, noteDocument("Blood pressure 118/79."), vault, server.transport);

    const entries = await loadWholeChart(vault, server.transport);
    expect(ok(entries).map((candidate) => [candidate.id, candidate.version, candidate.document.resource.description])).toEqual([
      [first, 2, "Blood pressure 118/79."],
      [second, 1, "Allergic to penicillin."],
    ]);
    expect(ok(entries)[0]!.authors.map((author) => [author.version, author.author.name])).toEqual([
      [1, "You"],
      [2, "You"],
    ]);
  });

  it("lists a tampered record as invalid with its IntegrityError and shows the others", async () => {
    type Stored = Parameters<ReturnType<typeof recordsServer>["records"]["set"]>[1];
    const tamperings: Array<[string, IntegrityCode, (record: Stored) => void]> = [
      ["a flipped bit in the ciphertext", "decrypt", (record) => void (record.versions[0]!.content = flip(record.versions[0]!.content, -20))],
      ["a flipped bit in the envelope header", "shape", (record) => void (record.versions[0]!.content = flip(record.versions[0]!.content, 0))],
      ["a flipped bit in the signature", "signature", (record) => void (record.versions[0]!.signature = flip(record.versions[0]!.signature, 3))],
      ["another commitment claimed", "signature", (record) => void (record.versions[0]!.commitment = flip(record.versions[0]!.commitment, 0))],
      ["a flipped bit in the key wrap", "wrong-key", (record) => void (record.ownerWrap = flip(record.ownerWrap, -5))],
      ["an unknown author claimed", "signature", (record) => void (record.versions[0]!.authorId = crypto.randomUUID())],
      ["a key version the signed version does not have", "signature", (record) => void (record.keyVersion = 2)],
    ];
    // An unknown author's keys are looked up in the directory, which knows no such person (below).
    for (const [label, code, tamper] of tamperings) {
      const vault = patientVault();
      const server = recordsServer(vault);
      server.transport.on(routes.directory.userKeys, () => {
        throw new ApiError(404, "not-found", "There is no such person.");
      });
      const [target, bystander] = server.seed([noteDocument("Target"), noteDocument("Bystander")]);
      tamper(server.records.get(target!)!);
      const entries = await loadWholeChart(vault, server.transport);
      expect(failureOf(entries, target!), label).toBe(code);
      expect(
        ok(entries).map((entry) => entry.id),
        label,
      ).toEqual([bystander]);
    }
  });

  it("lists an earlier version's statement that does not verify as invalid, though the current one does", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const [id] = server.seed([noteDocument("First")]);
    await saveVersion(ok(await loadWholeChart(vault, server.transport))[0]!, noteDocument("Second"), vault, server.transport);
    const stored = server.records.get(id!)!;
    stored.versions[0]!.signature = flip(stored.versions[0]!.signature, 10);
    expect(failureOf(await loadWholeChart(vault, server.transport), id!)).toBe("signature");
  });

  it("lists a record rolled back to an earlier version than this browser has shown as a rollback", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const [id] = server.seed([noteDocument("Take 10 mg daily.")]);
    await saveVersion(ok(await loadWholeChart(vault, server.transport))[0]!, noteDocument("Take 20 mg daily."), vault, server.transport);
    expect(ok(await loadWholeChart(vault, server.transport))[0]!.version).toBe(2);
    // The server replays version 1, genuinely signed.
    server.records.get(id!)!.versions.pop();
    const entries = await loadWholeChart(vault, server.transport);
    expect(failureOf(entries, id!)).toBe("rollback");
    expect(entries[0]).toMatchObject({ status: "invalid", reason: olderThanSeen });
    await expect(loadRecord(id!, vault, server.transport)).rejects.toMatchObject({ code: "rollback" });
  });

  it("refuses a chart answer outside the contract as IntegrityError shape", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.seed([noteDocument("Fine")]);
    const chart = await server.transport.call(recordsRoutes.list, {});
    for (const body of [
      { records: [{ ...chart.records[0], current: { ...chart.records[0]!.current, content: "not base64url!" } }] },
      { records: "none" },
      "not json",
    ]) {
      vi.stubGlobal(
        "fetch",
        vi.fn(async () => new Response(typeof body === "string" ? body : JSON.stringify(body))),
      );
      const error = await rejection(loadWholeChart(vault, httpTransport));
      expect(isIntegrityError(error) && error.code).toBe("shape");
    }
  });

  it("lets a programming error through instead of listing the record as tampered", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.seed([noteDocument("Fine")]);
    const bug = new TypeError("a bug in this code");
    const broken = {
      ...vault,
      keys: {
        ...vault.keys,
        get vaultKey(): VaultKey {
          throw bug;
        },
      },
    };
    expect(await rejection(loadWholeChart(broken, server.transport))).toBe(bug);
  });
});

describe("saveVersion", () => {
  it("reads only the one record it saves, never the chart", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const [id] = server.seed([noteDocument("Before"), noteDocument("Other")]);
    const entry = await loadRecord(id!, vault, server.transport);
    expect(entry.document.resource.description).toBe("Before");
    const chartReads = server.transport.callsTo(recordsRoutes.list).length;

    await saveVersion(entry, noteDocument("After"), vault, server.transport);
    expect(server.transport.callsTo(recordsRoutes.list).length).toBe(chartReads);
    expect(server.transport.callsTo(recordsRoutes.get).map((call) => call.input.params)).toEqual([{ id }, { id }]);
    const [saved] = server.transport.callsTo(recordsRoutes.addVersion);
    expect(saved!.input).toMatchObject({ params: { id }, body: { version: 2, keyVersion: 1 } });
    const reopened = await loadRecord(id!, vault, server.transport);
    expect([reopened.version, reopened.document.resource.description]).toEqual([2, "After"]);
  });

  it("saves nothing when the served key wrap does not open", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const [id] = server.seed([noteDocument("Before")]);
    const entry = await loadRecord(id!, vault, server.transport);
    const stored = server.records.get(id!)!;
    stored.ownerWrap = flip(stored.ownerWrap, -3);
    const error = await rejection(saveVersion(entry, noteDocument("After"), vault, server.transport));
    expect(isIntegrityError(error) && error.code).toBe("wrong-key");
    expect(server.transport.callsTo(recordsRoutes.addVersion)).toEqual([]);
  });

  it("passes the server's refusal of a stale version on as it is", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const [id] = server.seed([noteDocument("Before")]);
    const entry = await loadRecord(id!, vault, server.transport);
    await saveVersion(entry, noteDocument("From this device"), vault, server.transport);
    await expect(saveVersion(entry, noteDocument("From another device"), vault, server.transport)).rejects.toMatchObject({ status: 409, code: "conflict" });
  });
});
