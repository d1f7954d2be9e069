import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cryptoReady, deriveShareKey, fromBase64url, toBase64url, unwrapRecordKey } from "@/crypto";
import { routes } from "@/contract/routes";
import { bodyLimits } from "@/contract/body-limits";
import type { KeyMaintenance } from "@/contract/sharing";
import { isIntegrityError } from "../integrity";
import { openSharedVersion, recordKeyOf } from "../records/records";
import { ApiError, httpTransport } from "../transport/api";
import { isStillOpen, unlockedVault, useVault } from "../keystore/vault-store";
import { openForRotation, rotationSealer, runKeyMaintenance, sealRotation } from "./key-maintenance";
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

/** The record ids each rotation request carried, in order. */
const sentIds = (calls: Array<{ input: { body?: unknown } }>) =>
  calls.map((call) => routes.records.rotateMany.body.parse(call.input.body).rotations.map((rotation) => rotation.recordId));

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
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf([record], [remaining]))
      .on(routes.records.rotateMany, ({ body }) => ({ rotated: body.rotations.length, alreadyDone: 0 }));

    const progress: Array<{ done: number; total: number }> = [];
    const outcome = await runKeyMaintenance(patient.vault, server.transport, { onProgress: (step) => progress.push(step) });
    expect(outcome).toEqual({ renewed: 0, toCompare: 0, rotated: 1, wrapped: 0, deferred: 0 });
    expect(progress).toEqual([
      { done: 0, total: 1 },
      { done: 1, total: 1 },
    ]);

    const [request] = server.transport.callsTo(routes.records.rotateMany);
    const [body] = routes.records.rotateMany.body.parse(request!.input.body).rotations;
    expect(body!.recordId).toBe(id);
    expect(body!.version).toMatchObject({ version: 1, keyVersion: 2 });
    const oldKey = recordKeyOf(record, patient.vault);
    const newKey = recordKeyOf({ id: id!, keyVersion: 2, ownerWrap: body!.ownerWrap }, patient.vault);
    expect(newKey).not.toEqual(oldKey);
    // Re-encrypted in place: the author's statement and signature still verify the same document.
    const moved = { ...record.versions[0]!, keyVersion: 2, content: body!.version.content };
    expect(openSharedVersion(id!, moved, newKey, patient.vault.keys.identityPublicKey).document.resource.description).toBe("Take 10 mg daily.");
    // The key the revoked clinician held opens nothing any more.
    expect(() => openSharedVersion(id!, moved, oldKey, patient.vault.keys.identityPublicKey)).toThrow();
    // The grant that still covers the record gets the new key under its own share key.
    expect(body!.grantWraps.map((wrap) => wrap.grantId)).toEqual([remaining]);
    const shareKey = deriveShareKey(patient.vault.keys.vaultKey, { grantId: remaining });
    expect(unwrapRecordKey(fromBase64url(body!.grantWraps[0]!.wrappedKey), shareKey, { recordId: id!, keyVersion: 2, grantId: remaining })).toEqual(newKey);
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
      .on(routes.records.rotateMany, ({ body }) => {
        rotations += body.rotations.length;
        // What updateVaultProfile does when another page saves the vault meanwhile (the audit page stores the head it
        // verified on every unlock): a new state object with the new profile, the same keys.
        const current = unlockedVault();
        useVault.setState({ vault: { ...current, profile: { ...current.profile, auditHead: { seq: rotations, hash: "head", seenSeq: 0 } } } });
        return { rotated: body.rotations.length, alreadyDone: 0 };
      });
    const vault = unlockedVault();
    // As the page runs it (app/_components/key-maintenance.tsx), one record per request here.
    const stillOpen = () => isStillOpen(vault);
    expect(await runKeyMaintenance(vault, server.transport, { onProgress, stillOpen, batchSize: 1 })).toEqual({
      renewed: 0,
      toCompare: 0,
      rotated: 3,
      wrapped: 0,
      deferred: 0,
    });
    expect(rotations).toBe(3);

    // A lock (sign-out, another unlock) zeroes the keys: the run stops before the next record.
    server.transport.on(routes.records.rotateMany, ({ body }) => {
      rotations += body.rotations.length;
      useVault.getState().lock();
      return { rotated: body.rotations.length, alreadyDone: 0 };
    });
    expect(await runKeyMaintenance(vault, server.transport, { onProgress, stillOpen, batchSize: 1 })).toEqual({
      renewed: 0,
      toCompare: 0,
      rotated: 1,
      wrapped: 0,
      deferred: 0,
    });
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
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress })).toEqual({ renewed: 0, toCompare: 0, rotated: 0, wrapped: 1, deferred: 0 });
    const [sent] = server.transport.callsTo(routes.grants.addWraps);
    const { wraps } = routes.grants.addWraps.body.parse(sent!.input.body);
    expect(wraps).toMatchObject([{ grantId, recordId: id, keyVersion: 1 }]);
    const shareKey = deriveShareKey(patient.vault.keys.vaultKey, { grantId });
    expect(unwrapRecordKey(fromBase64url(wraps[0]!.wrappedKey), shareKey, { recordId: id!, keyVersion: 1, grantId })).toEqual(
      recordKeyOf(record, patient.vault),
    );
  });

  it("seals with keys derived once per run what sealRotation seals with keys derived per record, and refuses what openForRotation refuses", () => {
    const server = fakeServer([patient, doctor]);
    const [good, altered] = server.addRecords(patient, [note("Same either way."), note("Altered.")]).map((id) => server.records.get(id)!);
    const content = fromBase64url(altered!.versions[0]!.content);
    content[10]! ^= 1;
    altered!.versions[0]!.content = toBase64url(content);
    const remaining = crypto.randomUUID();
    const [task, tampered] = rotationsOf([good!, altered!], [remaining]).rotations;
    const sealer = rotationSealer(patient.vault);
    try {
      const author = patient.vault.keys.identityPublicKey;
      expect(() => sealer.open(tampered!, author)).toThrow(expect.objectContaining({ name: "IntegrityError", code: "decrypt" }));
      expect(() => sealer.open(task!, undefined)).toThrow(expect.objectContaining({ name: "IntegrityError", code: "signature" }));
      const opened = sealer.open(task!, author);
      expect(opened.body).toEqual(openForRotation(task!, author, patient.vault).body);
      const batched = sealer.seal(task!, opened);
      const single = sealRotation(task!, openForRotation(task!, author, patient.vault), patient.vault);
      for (const sealed of [batched, single]) {
        const newKey = recordKeyOf({ id: task!.recordId, keyVersion: 2, ownerWrap: sealed.ownerWrap }, patient.vault);
        const moved = { ...task!.current, keyVersion: 2, content: sealed.version.content };
        expect(openSharedVersion(task!.recordId, moved, newKey, author).document.resource.description).toBe("Same either way.");
        const shareKey = deriveShareKey(patient.vault.keys.vaultKey, { grantId: remaining });
        const context = { recordId: task!.recordId, keyVersion: 2, grantId: remaining };
        expect(unwrapRecordKey(fromBase64url(sealed.grantWraps[0]!.wrappedKey), shareKey, context)).toEqual(newKey);
      }
      // Fresh keys each time: the same record sealed twice shares nothing.
      expect(sealer.seal(task!, opened).ownerWrap).not.toBe(batched.ownerWrap);
    } finally {
      sealer.close();
    }
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
      .on(routes.records.rotateMany, () => {
        throw new ApiError(409, "conflict", "This record changed since you opened it.");
      });
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress })).toEqual({ renewed: 0, toCompare: 0, rotated: 0, wrapped: 0, deferred: 2 });
    // Only the intact record was sent (and refused with a conflict): the altered one never left the browser re-encrypted.
    expect(sentIds(server.transport.callsTo(routes.records.rotateMany))).toEqual([[conflicting!.id]]);
  });

  it("lets a programming error through instead of deferring it", async () => {
    const server = fakeServer([patient, doctor]);
    const [id] = server.addRecords(patient, [note("Take 10 mg daily.")]);
    const bug = new TypeError("undefined is not a function");
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf([server.records.get(id!)!]))
      .on(routes.records.rotateMany, () => {
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
    expect(await runKeyMaintenance(doctor.vault, server.transport, { onProgress })).toEqual({ renewed: 0, toCompare: 0, rotated: 0, wrapped: 0, deferred: 0 });
    expect(server.transport.calls).toHaveLength(0);
  });

  it("sends rotations in batches of 1,000, reports progress per batch, and when the server refuses a batch splits it in halves so only the changed record waits", async () => {
    const server = fakeServer([patient, doctor]);
    const ids = server.addRecords(
      patient,
      Array.from({ length: 1100 }, (_, index) => note(`Note ${index}.`)),
    );
    const changed = ids[321]!;
    const accepted: string[][] = [];
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf(ids.map((id) => server.records.get(id)!)))
      .on(routes.records.rotateMany, ({ body }) => {
        // As the server does: a batch is one transaction, refused whole when one record changed meanwhile.
        if (body.rotations.some((rotation) => rotation.recordId === changed)) throw new ApiError(409, "conflict", `Record ${changed} changed.`);
        accepted.push(body.rotations.map((rotation) => rotation.recordId));
        return { rotated: body.rotations.length, alreadyDone: 0 };
      });
    const progress: Array<{ done: number; total: number }> = [];
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress: (step) => progress.push(step) })).toEqual({
      renewed: 0,
      toCompare: 0,
      rotated: 1099,
      wrapped: 0,
      deferred: 1,
    });
    const sent = sentIds(server.transport.callsTo(routes.records.rotateMany));
    expect(sent[0]).toEqual(ids.slice(0, 1000));
    expect(sent.at(-1)).toEqual(ids.slice(1000));
    // Halves of halves: the refused ones each hold the changed record, down to the record alone (sent once);
    // every other record is stored exactly once, in order.
    const refused = sent.filter((batch) => batch.includes(changed));
    expect(refused.map((batch) => batch.length)).toEqual([1000, 500, 250, 125, 62, 31, 16, 8, 4, 2, 1]);
    expect(accepted.flat()).toEqual(ids.filter((id) => id !== changed));
    // About 2·log2(1,000) requests for the refused batch, not one per record.
    expect(sent.length).toBeLessThanOrEqual(2 + 2 * Math.ceil(Math.log2(1000)));
    expect(progress).toEqual([
      { done: 0, total: 1100 },
      { done: 1000, total: 1100 },
      { done: 1100, total: 1100 },
    ]);
  });

  it("still sends records one by one when asked for batches of one, deferring the refused one", async () => {
    const server = fakeServer([patient, doctor]);
    const ids = server.addRecords(
      patient,
      Array.from({ length: 3 }, (_, index) => note(`Note ${index}.`)),
    );
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf(ids.map((id) => server.records.get(id)!)))
      .on(routes.records.rotateMany, ({ body }) => {
        if (body.rotations.some((rotation) => rotation.recordId === ids[1])) throw new ApiError(404, "not-found", "There is no such record in your chart.");
        return { rotated: body.rotations.length, alreadyDone: 0 };
      });
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress, batchSize: 1 })).toEqual({
      renewed: 0,
      toCompare: 0,
      rotated: 2,
      wrapped: 0,
      deferred: 1,
    });
    expect(sentIds(server.transport.callsTo(routes.records.rotateMany))).toEqual(ids.map((id) => [id]));
  });

  it("keeps a batch within the body limit however large its records", { timeout: 120_000 }, async () => {
    const server = fakeServer([patient, doctor]);
    // 256 KiB of content each (padded), about 350 KB as base64url: 16 MiB holds about 47 of them per request, not 1,000.
    const ids = server.addRecords(
      patient,
      Array.from({ length: 100 }, (_, index) => note(`${index} ${"x".repeat(150_000)}`)),
    );
    server.transport
      .on(routes.keyMaintenance.pending, () => rotationsOf(ids.map((id) => server.records.get(id)!)))
      .on(routes.records.rotateMany, ({ body }) => ({ rotated: body.rotations.length, alreadyDone: 0 }));
    expect(await runKeyMaintenance(patient.vault, server.transport, { onProgress })).toEqual({
      renewed: 0,
      toCompare: 0,
      rotated: 100,
      wrapped: 0,
      deferred: 0,
    });
    const calls = server.transport.callsTo(routes.records.rotateMany);
    expect(calls.length).toBe(3);
    for (const call of calls) expect(new TextEncoder().encode(JSON.stringify(call.input.body)).byteLength).toBeLessThanOrEqual(bodyLimits.rotationBatch);
    expect(sentIds(calls).flat()).toEqual(ids);
  });
});
