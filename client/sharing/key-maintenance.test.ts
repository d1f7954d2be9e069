import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cryptoReady, deriveShareKey, fromBase64url, toBase64url, unwrapRecordKey } from "@/crypto";
import { routes } from "@/contract/routes";
import type { KeyMaintenance } from "@/contract/sharing";
import { isIntegrityError } from "../integrity";
import { openSharedVersion, recordKeyOf } from "../records/records";
import { ApiError, httpTransport } from "../transport/api";
import { isStillOpen, unlockedVault, useVault } from "../keystore/vault-store";
import { openForRotation, runKeyMaintenance } from "./key-maintenance";
import { fakeServer, note, person, type Person, type StoredRecord } from "./test-fixtures";

let patient: Person;
let doctor: Person;

beforeAll(async () => {
  await cryptoReady();
  [patient, doctor] = await Promise.all([person("patient", "Paul Proof"), person("doctor", "Dr Olive Older")]);
});

afterEach(() => {
  vi.unstubAllGlobals();
  useVault.setState({ vault: { status: "locked" } });
});

const onProgress = () => undefined;

/** The work list the server sends for records to rotate (a revoked grant held their keys), each still covered by `grantIds`. */
const rotationsOf = (records: StoredRecord[], grantIds: string[] = []): KeyMaintenance => ({
  rotations: records.map((record) => ({
    recordId: record.id,
    keyVersion: record.keyVersion,
    ownerWrap: record.ownerWrap,
    currentVersion: record.versions.length,
    current: record.versions[record.versions.length - 1]!,
    grantIds,
  })),
  missingWraps: [],
});

describe("key maintenance after a revoke", () => {
  it("moves each record the revoked clinician could open to a new key: same version and author, readable by the owner and the grants still covering it only", async () => {
    const server = fakeServer([patient, doctor]);
    const [id] = server.addRecords(patient, [note("Take 10 mg daily.")]);
    const record = server.records.get(id!)!;
    const remaining = crypto.randomUUID();
    server.transport.on(routes.keyMaintenance.pending, () => rotationsOf([record], [remaining])).on(routes.records.rotate, () => undefined);

    const progress: Array<{ done: number; total: number }> = [];
    const outcome = await runKeyMaintenance(patient.vault, server.transport, { onProgress: (step) => progress.push(step) });
    expect(outcome).toEqual({ rotated: 1, wrapped: 0, deferred: 0 });
    expect(progress).toEqual([
      { done: 0, total: 1 },
      { done: 1, total: 1 },
    ]);

    const [rotation] = server.transport.callsTo(routes.records.rotate);
    expect(rotation!.input.params).toEqual({ id });
    const body = rotation!.input.body as unknown as {
      ownerWrap: string;
      version: { version: number; keyVersion: number; content: string };
      grantWraps: Array<{ grantId: string; wrappedKey: string }>;
    };
    expect(body.version).toMatchObject({ version: 1, keyVersion: 2 });
    const oldKey = recordKeyOf(record, patient.vault);
    const newKey = recordKeyOf({ id: id!, keyVersion: 2, ownerWrap: body.ownerWrap }, patient.vault);
    expect(newKey).not.toEqual(oldKey);
    // Re-encrypted in place: the author's statement and signature still verify the same document.
    const moved = { ...record.versions[0]!, keyVersion: 2, content: body.version.content };
    expect(openSharedVersion(id!, moved, newKey, patient.vault.keys.identityPublicKey).document.resource.description).toBe("Take 10 mg daily.");
    // The key the revoked clinician held opens nothing any more.
    expect(() => openSharedVersion(id!, moved, oldKey, patient.vault.keys.identityPublicKey)).toThrow();
    // The grant that still covers the record gets the new key under its own share key.
    expect(body.grantWraps.map((wrap) => wrap.grantId)).toEqual([remaining]);
    const shareKey = deriveShareKey(patient.vault.keys.vaultKey, { grantId: remaining });
    expect(unwrapRecordKey(fromBase64url(body.grantWraps[0]!.wrappedKey), shareKey, { recordId: id!, keyVersion: 2, grantId: remaining })).toEqual(newKey);
  });

  it("keeps going when the open vault's profile is saved meanwhile (the audit head, a pinned contact), and stops once the vault locks", async () => {
    // Its own patient: the lock at the end zeroes these keys.
    const owner = await person("patient", "Pia Profile");
    const server = fakeServer([owner, doctor]);
    const records = server.addRecords(owner, [note("Diary."), note("Scan."), note("Scratch.")]).map((id) => server.records.get(id)!);
    const remaining = crypto.randomUUID();
    useVault.getState().unlock(owner.vault);
    let rotations = 0;
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf(records, [remaining]))
      .on(routes.records.rotate, () => {
        rotations += 1;
        // What updateVaultProfile does when another page saves the vault meanwhile (the audit page stores the head it
        // verified on every unlock): a new state object with the new profile, the same keys.
        const current = unlockedVault();
        useVault.setState({ vault: { ...current, profile: { ...current.profile, auditHead: { seq: rotations, hash: "head", seenSeq: 0 } } } });
      });
    const vault = unlockedVault();
    // As the page runs it (app/_components/key-maintenance.tsx).
    const stillOpen = () => isStillOpen(vault);
    expect(await runKeyMaintenance(vault, server.transport, { onProgress, stillOpen })).toEqual({ rotated: 3, wrapped: 0, deferred: 0 });
    expect(rotations).toBe(3);

    // A lock (sign-out, another unlock) zeroes the keys: the run stops before the next record.
    server.transport.on(routes.records.rotate, () => {
      rotations += 1;
      useVault.getState().lock();
    });
    expect(await runKeyMaintenance(vault, server.transport, { onProgress, stillOpen })).toEqual({ rotated: 1, wrapped: 0, deferred: 0 });
    expect(rotations).toBe(4);
    expect(isStillOpen(vault)).toBe(false);
  });

  it("wraps records an active grant covers but cannot open yet, under that grant's share key", async () => {
    const server = fakeServer([patient, doctor]);
    const [id] = server.addRecords(patient, [note("New after sharing.")]);
    const record = server.records.get(id!)!;
    const grantId = crypto.randomUUID();
    server.transport
      .on(routes.keyMaintenance.pending, () => ({ rotations: [], missingWraps: [{ recordId: id!, keyVersion: 1, ownerWrap: record.ownerWrap, grantId }] }))
      .on(routes.grants.addWraps, () => undefined);
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress })).toEqual({ rotated: 0, wrapped: 1, deferred: 0 });
    const [sent] = server.transport.callsTo(routes.grants.addWraps);
    const { wraps } = routes.grants.addWraps.body.parse(sent!.input.body);
    expect(wraps).toMatchObject([{ grantId, recordId: id, keyVersion: 1 }]);
    const shareKey = deriveShareKey(patient.vault.keys.vaultKey, { grantId });
    expect(unwrapRecordKey(fromBase64url(wraps[0]!.wrappedKey), shareKey, { recordId: id!, keyVersion: 1, grantId })).toEqual(
      recordKeyOf(record, patient.vault),
    );
  });

  it("leaves a record that does not verify untouched and tries again later; a conflict is deferred too", async () => {
    const server = fakeServer([patient, doctor]);
    const [altered, conflicting] = server.addRecords(patient, [note("Altered."), note("Changed meanwhile.")]).map((id) => server.records.get(id)!);
    const content = fromBase64url(altered!.versions[0]!.content);
    content[10]! ^= 1;
    altered!.versions[0]!.content = toBase64url(content);
    expect(() => openForRotation(rotationsOf([altered!]).rotations[0]!, patient.vault.keys.identityPublicKey, patient.vault)).toThrow(
      expect.objectContaining({ name: "IntegrityError", code: "decrypt" }),
    );

    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf([altered!, conflicting!]))
      .on(routes.records.rotate, () => {
        throw new ApiError(409, "conflict", "This record changed since you opened it.");
      });
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress })).toEqual({ rotated: 0, wrapped: 0, deferred: 2 });
    // Only the intact record was sent (and refused with a conflict): the altered one never left the browser re-encrypted.
    expect(server.transport.callsTo(routes.records.rotate).map((call) => call.input.params)).toEqual([{ id: conflicting!.id }]);
  });

  it("lets a programming error through instead of deferring it", async () => {
    const server = fakeServer([patient, doctor]);
    const [id] = server.addRecords(patient, [note("Take 10 mg daily.")]);
    const bug = new TypeError("undefined is not a function");
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf([server.records.get(id!)!]))
      .on(routes.records.rotate, () => {
        throw bug;
      });
    await expect(runKeyMaintenance(patient.vault, server.transport, { onProgress })).rejects.toBe(bug);
  });

  it("reports a work list outside the contract as IntegrityError('shape'), and does nothing for a clinician", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ rotations: [{ recordId: "x" }], missingWraps: [] }))),
    );
    const error = await runKeyMaintenance(patient.vault, httpTransport, { onProgress }).catch((caught: unknown) => caught);
    expect(isIntegrityError(error) && error.code).toBe("shape");

    const server = fakeServer([doctor]);
    expect(await runKeyMaintenance(doctor.vault, server.transport, { onProgress })).toEqual({ rotated: 0, wrapped: 0, deferred: 0 });
    expect(server.transport.calls).toHaveLength(0);
  });
});
