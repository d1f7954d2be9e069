import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { routes } from "@/contract/routes";
import { useVault } from "../keystore/vault-store";
import type { PagingProgress } from "../records/record-pages";
import { checkedContact } from "./contacts";
import { createSharedStore } from "./shared-store";
import { loadSharedWithMe, shareRecords, type SharedPatient } from "./sharing";
import { fakeServer, note, person, pinning, type Person } from "./test-fixtures";

let patient: Person;
let other: Person;
let doctor: Person;

beforeAll(async () => {
  await cryptoReady();
  [patient, other, doctor] = await Promise.all([person("patient", "Paul Pages"), person("patient", "Olga Other"), person("doctor", "Dr Petra Page")]);
});
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

/** `who` shares `count` new notes with the doctor; returns the notes' texts. */
async function shareNotes(server: ReturnType<typeof fakeServer>, who: Person, count: number, scope: "records" | "all" = "records") {
  const texts = Array.from({ length: count }, (_, index) => `${who.vault.userId.slice(0, 4)} note ${index + 1}`);
  const ids = server.addRecords(
    who,
    texts.map((text) => note(text)),
  );
  server.signIn(who);
  const vault = pinning(who, doctor);
  const clinician = await checkedContact(doctor.vault.userId, vault, server.transport);
  await shareRecords(
    { clinician, verified: false, recordIds: scope === "all" ? "all" : ids, permission: "read", expiresAt: null, revealedName: "Pat" },
    vault,
    server.transport,
  );
  return texts;
}

const texts = (patientShared: SharedPatient) => patientShared.records.map((record) => record.document.resource.description as string).sort();

describe("what is shared with a clinician, in pages", () => {
  it("reads each grant's records page after page, telling each page with about how many there are in all", async () => {
    const server = fakeServer([patient, other, doctor]);
    const first = await shareNotes(server, patient, 5);
    const second = await shareNotes(server, other, 3, "all");
    server.signIn(doctor);
    const told: Array<[number[], PagingProgress]> = [];
    const shared = await loadSharedWithMe(doctor.vault, server.transport, {
      pageSize: 2,
      onPage: (patients, progress) => told.push([patients.map((entry) => entry.records.length), progress]),
    });
    expect(shared.map(texts)).toEqual([first.sort(), second.sort()]);
    expect(server.transport.callsTo(routes.shared.records)).toHaveLength(5);
    // The first grant lists its 5 records; the "all records" grant says how many once its first page came.
    expect(told).toEqual([
      [[2], { loaded: 2, total: 5 }],
      [[4], { loaded: 4, total: 5 }],
      [[5], { loaded: 5, total: 5 }],
      [[5, 2], { loaded: 7, total: 8 }],
      [[5, 3], { loaded: 8, total: 8 }],
    ]);
  });

  it("shows the patients as their pages arrive in the store, then the whole list", async () => {
    const server = fakeServer([patient, doctor]);
    const shared = await shareNotes(server, patient, 5);
    server.signIn(doctor);
    useVault.setState({ vault: doctor.vault });
    const store = createSharedStore(() => doctor.vault, server.transport);
    const seen: Array<[number | null, number | null, number | null]> = [];
    store.subscribe((state) =>
      seen.push([state.partial?.[0]?.records.length ?? null, state.progress?.loaded ?? null, state.patients?.[0]?.records.length ?? null]),
    );
    const loaded = await store.getState().load({ pageSize: 2 });
    expect(texts(loaded[0]!)).toEqual(shared.sort());
    expect(seen.filter(([partial]) => partial !== null)).toEqual([
      [2, 2, null],
      [4, 4, null],
      [5, 5, null],
    ]);
    expect(store.getState()).toMatchObject({ partial: null, progress: null });
    expect(store.getState().patients).toBe(loaded);
  });
});
