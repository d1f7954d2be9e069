import { generateEncryptionKeyPair, generateIdentityKeyPair, generateVaultKey } from "@/crypto";
import { blobsRoutes, recordsRoutes, type ChartRecord, type Statement, type Version } from "@/contract/records";
import { importsRoutes } from "@/contract/imports";
import { routes } from "@/contract/routes";
import { ApiError } from "../transport/api";
import type { FakeHandler } from "../transport/fake-transport";
import { fakePage } from "../transport/fake-pages";
import { fakeTransport } from "../transport/fake-transport";
import type { UnlockedVault } from "../keystore/vault-store";
import { sealNewRecords, type RecordDocument } from "./records";

/**
 * Test support for the browser's records code in Node: a patient's open vault with real keys,
 * and a fake server (client/transport/fake-transport.ts) that stores what the browser sends
 * (records, versions, file chunks, staged imports) and serves it back through the contract, as the real
 * server does. Tests alter what it stores to play a hostile server.
 */

/** A patient's open vault with fresh keys (real libsodium). */
export function patientVault(): UnlockedVault {
  const identity = generateIdentityKeyPair();
  const encryption = generateEncryptionKeyPair();
  return {
    status: "unlocked",
    userId: crypto.randomUUID(),
    role: "patient",
    keys: {
      identitySecretKey: identity.secretKey,
      identityPublicKey: identity.publicKey,
      encryptionSecretKey: encryption.secretKey,
      encryptionPublicKey: encryption.publicKey,
      vaultKey: generateVaultKey(),
    },
    profile: { displayName: "Test Patient" },
  };
}

/** A note as the chart page writes it. */
export const noteDocument = (text: string): RecordDocument => ({
  v: 1,
  kind: "note",
  resource: { resourceType: "DocumentReference", status: "current", description: text },
});

interface StoredRecord {
  id: string;
  ownerWrap: string;
  keyVersion: number;
  versions: Version[];
}

const at = "2026-11-30T01:00:00.000Z";

/** Records per page when a request names no limit: small, so every test that reads the chart reads it in several pages. */
export const fakePageSize = 2;
const statementOf = ({ version, authorId, commitment, signature, createdAt }: Version): Statement => ({ version, authorId, commitment, signature, createdAt });

/**
 * A fake server holding one patient's chart and files, answering the records and blobs routes;
 * the chart in pages of `options.pageSize` records (`fakePageSize` unless given) when a request
 * names no limit.
 */
export function recordsServer(vault: UnlockedVault, options: { pageSize?: number } = {}) {
  const records = new Map<string, StoredRecord>();
  // The chart's order (the server's is creation time, then id): when each record was first stored.
  const createdOrder = new Map<string, string>();
  const orderKey = (id: string) => {
    if (!createdOrder.has(id)) createdOrder.set(id, String(createdOrder.size).padStart(9, "0"));
    return createdOrder.get(id)!;
  };
  const chunks = new Map<string, Uint8Array[]>();
  const served = (record: StoredRecord): ChartRecord => {
    const current = record.versions[record.versions.length - 1]!;
    return {
      id: record.id,
      currentVersion: current.version,
      keyVersion: record.keyVersion,
      createdAt: at,
      updatedAt: at,
      ownerWrap: record.ownerWrap,
      current,
      statements: record.versions.map(statementOf),
    };
  };
  const owned = (id: string) => {
    const record = records.get(id);
    if (!record) throw new ApiError(404, "not-found", "There is no such record in your chart.");
    return record;
  };
  /** Open imports: their staged records (with the grant wraps sent), by record id, in order. */
  const imports = new Map<string, { committed: number | null; staged: Map<string, StoredRecord & { grantIds: string[] }> }>();
  const openImport = (id: string) => {
    const found = imports.get(id);
    if (!found) throw new ApiError(404, "not-found", "There is no such import.");
    return found;
  };
  const importHandlers: {
    start: FakeHandler<typeof importsRoutes.start>;
    addRecords: FakeHandler<typeof importsRoutes.addRecords>;
    commit: FakeHandler<typeof importsRoutes.commit>;
    abandon: FakeHandler<typeof importsRoutes.abandon>;
  } = {
    start: () => {
      const importId = crypto.randomUUID();
      imports.set(importId, { committed: null, staged: new Map() });
      return { importId };
    },
    addRecords: ({ params, body }) => {
      const open = openImport(params.id);
      if (open.committed !== null) throw new ApiError(409, "conflict", "This import is finished already.");
      let staged = 0;
      for (const record of body.records) {
        const already = open.staged.get(record.id);
        if (already && already.versions[0]!.content !== record.version.content) throw new ApiError(409, "conflict", "A record with this id already exists.");
        if (!already) staged += 1;
        open.staged.set(record.id, {
          id: record.id,
          ownerWrap: record.ownerWrap,
          keyVersion: 1,
          versions: [{ ...record.version, blobId: record.version.blobId ?? null, authorId: vault.userId, createdAt: at }],
          grantIds: (record.grantWraps ?? []).map((wrap) => wrap.grantId),
        });
      }
      return { staged };
    },
    commit: ({ params }) => {
      const open = openImport(params.id);
      if (open.committed === null) {
        for (const { grantIds: _grantIds, ...record } of open.staged.values()) records.set(record.id, record);
        open.committed = open.staged.size;
        open.staged.clear();
      }
      return { created: open.committed };
    },
    abandon: ({ params }) => {
      const open = openImport(params.id);
      if (open.committed !== null) throw new ApiError(409, "conflict", "This import is finished already.");
      imports.delete(params.id);
    },
  };
  const transport = fakeTransport()
    .on(importsRoutes.start, importHandlers.start)
    .on(importsRoutes.addRecords, importHandlers.addRecords)
    .on(importsRoutes.commit, importHandlers.commit)
    .on(importsRoutes.abandon, importHandlers.abandon)
    .on(routes.grants.list, () => ({ grants: [] }))
    .on(recordsRoutes.list, ({ query }) => {
      const page = fakePage(records.values(), (record) => orderKey(record.id), query, options.pageSize ?? fakePageSize);
      return { ...page, records: page.records.map(served) };
    })
    .on(recordsRoutes.get, ({ params }) => served(owned(params.id)))
    .on(recordsRoutes.create, ({ body }) => {
      for (const record of body.records) {
        records.set(record.id, {
          id: record.id,
          ownerWrap: record.ownerWrap,
          keyVersion: 1,
          versions: [{ ...record.version, blobId: record.version.blobId ?? null, authorId: vault.userId, createdAt: at }],
        });
      }
      return { created: body.records.length };
    })
    .on(recordsRoutes.addVersion, ({ params, body }) => {
      const record = owned(params.id);
      if (body.version !== record.versions.length + 1 || body.keyVersion !== record.keyVersion)
        throw new ApiError(409, "conflict", "This record changed since you opened it.");
      record.versions.push({ ...body, blobId: body.blobId ?? null, authorId: vault.userId, createdAt: at });
    })
    .on(recordsRoutes.remove, ({ params }) => {
      owned(params.id);
      records.delete(params.id);
    })
    .on(blobsRoutes.start, ({ body }) => {
      const blobId = crypto.randomUUID();
      chunks.set(blobId, new Array<Uint8Array>(body.chunkCount));
      return { blobId };
    })
    .on(blobsRoutes.putChunk, ({ params, body }) => {
      const stored = chunks.get(params.id);
      if (!stored) throw new ApiError(404, "not-found", "There is no such upload.");
      // As the server: the same bytes again succeed (a retry), other bytes at a stored position are refused.
      const already = stored[Number(params.index)];
      if (already && !Buffer.from(already).equals(Buffer.from(body)))
        throw new ApiError(409, "conflict", "A different chunk was already stored at this position.");
      stored[Number(params.index)] = body;
    })
    .on(blobsRoutes.describe, ({ params }) => {
      const stored = chunks.get(params.id);
      if (!stored) throw new ApiError(404, "not-found", "There is no such upload.");
      const received = stored.flatMap((chunk, index) => (chunk ? [index] : []));
      return { status: received.length === stored.length ? ("complete" as const) : ("uploading" as const), chunkCount: stored.length, received };
    })
    .on(blobsRoutes.complete, ({ params }) => ({ blobId: params.id }))
    .on(blobsRoutes.getChunk, ({ params }) => {
      const chunk = chunks.get(params.id)?.[Number(params.index)];
      if (!chunk) throw new ApiError(404, "not-found", "There is no such upload.");
      return chunk;
    });

  return {
    transport,
    /** The stored records, for a test to alter as a hostile server would. */
    records,
    /** The stored file chunks, by blob id. */
    chunks,
    /** Imports started and not abandoned, with what each has staged. */
    imports,
    /** The imports routes' answers, for a test that replaces one (a failing request) to call on. */
    importHandlers,
    /** Stores records sealed as the browser seals them (sealNewRecords), without a request. */
    seed(documents: RecordDocument[]): string[] {
      const sealed = sealNewRecords(documents, vault);
      for (const record of sealed) {
        records.set(record.id, {
          id: record.id,
          ownerWrap: record.ownerWrap,
          keyVersion: 1,
          versions: [{ ...record.version, blobId: null, authorId: vault.userId, createdAt: at }],
        });
      }
      return sealed.map((record) => record.id);
    },
  };
}
