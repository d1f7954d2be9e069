import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { routes } from "@/contract/routes";
import type { GrantSummary } from "@/contract/sharing";
import { createGrantsStore } from "./grants-store";
import { createSharedStore } from "./shared-store";
import { checkedContact } from "./contacts";
import { fakeServer, note, person, pinning, type Person } from "./test-fixtures";

let patient: Person;
let doctor: Person;

beforeAll(async () => {
  await cryptoReady();
  [patient, doctor] = await Promise.all([person("patient", "Paul Proof"), person("doctor", "Dr Vera Verify")]);
});

const grant = (revision: number, revokedAt: string | null = null): GrantSummary => ({
  id: "7b0d8c1e-52f4-4b7e-9a51-6f2d3c4b5a69",
  clinicianId: "0b6f1d7e-4c1a-4b8e-9a51-6f2d3c4b5a69",
  clinicianName: "Dr Vera Verify",
  clinicianDisabled: false,
  scope: "all",
  permission: "read",
  expiresAt: null,
  createdAt: "2026-11-01T10:00:00.000Z",
  revokedAt,
  revision,
  lastOpenedAt: null,
  recordIds: [],
  excludedRecordIds: [],
});

describe("the patient's grants store", () => {
  it("loads the grants once, and again after a revoke made through it", async () => {
    const server = fakeServer([patient]);
    let served = [grant(1)];
    server.transport
      .on(routes.grants.list, () => ({ grants: served }))
      .on(routes.grants.revoke, () => {
        served = [grant(1, "2026-11-29T12:00:00.000Z")];
      });
    const store = createGrantsStore(() => patient.vault, server.transport);
    expect(await store.getState().load()).toEqual([grant(1)]);
    expect(await store.getState().load()).toEqual([grant(1)]);
    expect(server.transport.callsTo(routes.grants.list)).toHaveLength(1);

    await store.getState().revoke(grant(1).id);
    expect(store.getState().grants).toBeNull();
    expect((await store.getState().load())[0]!.revokedAt).not.toBeNull();
    expect(server.transport.callsTo(routes.grants.list)).toHaveLength(2);
  });

  it("reads afresh for another person's vault", async () => {
    const server = fakeServer([patient]);
    server.transport.on(routes.grants.list, () => ({ grants: [] }));
    let vault = patient.vault;
    const store = createGrantsStore(() => vault, server.transport);
    await store.getState().load();
    vault = { ...patient.vault, userId: "0b6f1d7e-4c1a-4b8e-9a51-000000000001" };
    await store.getState().load();
    expect(server.transport.callsTo(routes.grants.list)).toHaveLength(2);
  });
});

describe("the shared-with-me store", () => {
  it("verifies and decrypts once, and again after the clinician adds a note", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("eGFR 74.")]);
    const vault = pinning(patient, doctor);
    const clinician = await checkedContact(doctor.vault.userId, vault, server.transport);
    const patients = createGrantsStore(() => vault, server.transport);
    server.transport.on(routes.grants.list, () => ({ grants: [] }));
    const grantId = await patients
      .getState()
      .share({ clinician, verified: false, recordIds: [record!], permission: "contribute", expiresAt: null, revealedName: "Paul" });

    server.signIn(doctor);
    const store = createSharedStore(() => doctor.vault, server.transport);
    const first = await store.getState().load();
    expect(await store.getState().load()).toBe(first);
    expect(server.transport.callsTo(routes.shared.records)).toHaveLength(1);

    await store.getState().contribute(grantId, note("Repeat in 3 months."));
    const after = await store.getState().load();
    expect(after[0]!.records.map((entry) => entry.document.resource.description).sort()).toEqual(["Repeat in 3 months.", "eGFR 74."]);
    expect(server.transport.callsTo(routes.shared.records)).toHaveLength(2);
  });
});
