import {
  cryptoReady,
  decryptRecordContent,
  deriveOwnerRecordKey,
  encryptRecordContent,
  fromBase64url,
  generateRecordKey,
  hashBytes,
  padToBucket,
  signRecordVersion,
  toBase64url,
  unpadBucket,
  unwrapRecordKey,
  utf8,
  fromUtf8,
  verifyRecordVersion,
  wrapRecordKeys,
} from "@/crypto";
import { api } from "./api";
import type { FileReference } from "./files";
import { useVault, type UnlockedKeys } from "./vault-store";

/** What a record's envelope holds: the FHIR resource and the little the app adds. */
export interface RecordDocument {
  v: 1;
  kind: string;
  resource: { resourceType: string; [key: string]: unknown };
  /** The resource's fullUrl in the bundle it was imported from, kept for export. */
  fullUrl?: string;
  /** For file records: where the encrypted body is and the key that opens it. */
  file?: FileReference;
}

interface VersionJson {
  version: number;
  keyVersion: number;
  authorId: string;
  content: string;
  signature: string;
  createdAt: string;
}

interface RecordJson {
  id: string;
  currentVersion: number;
  keyVersion: number;
  createdAt: string;
  updatedAt: string;
  ownerWrap: string;
  current: VersionJson;
}

export type ChartEntry =
  | { status: "ok"; id: string; version: number; keyVersion: number; authorId: string; updatedAt: string; document: RecordDocument }
  | { status: "invalid"; id: string; version: number; reason: string };

const noFile = new Uint8Array(0);

function unlocked() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

function seal(document: RecordDocument, recordKey: Uint8Array, context: { recordId: string; version: number; keyVersion: number }, author: { userId: string; keys: UnlockedKeys }) {
  const content = encryptRecordContent(padToBucket(utf8(JSON.stringify(document))), recordKey, context);
  const signature = signRecordVersion(
    { ...context, authorId: author.userId, contentHash: hashBytes(content), fileHash: noFile },
    author.keys.identitySecretKey,
  );
  return { version: context.version, keyVersion: context.keyVersion, content: toBase64url(content), signature: toBase64url(signature) };
}

/**
 * Encrypts, pads, signs and wraps new records for their owner: everything the server
 * stores, and nothing it could read. Pure, so benchmarks and tests can call it directly.
 */
export function sealNewRecords(
  documents: Array<RecordDocument & { recordId?: string }>,
  author: { userId: string; keys: UnlockedKeys },
) {
  const items = documents.map(({ recordId, ...document }) => ({ id: recordId ?? crypto.randomUUID(), recordKey: generateRecordKey(), document }));
  const ownerKey = deriveOwnerRecordKey(author.keys.vaultKey);
  const wraps = wrapRecordKeys(
    items.map((item) => ({ recordKey: item.recordKey, recordId: item.id, keyVersion: 1 })),
    ownerKey,
    { grantId: "owner" },
  );
  ownerKey.fill(0);
  return items.map((item, index) => {
    const sealed = {
      id: item.id,
      ownerWrap: toBase64url(wraps[index]!),
      version: {
        ...seal(item.document, item.recordKey, { recordId: item.id, version: 1, keyVersion: 1 }, author),
        ...(item.document.file ? { blobId: item.document.file.blobId } : {}),
      },
    };
    item.recordKey.fill(0);
    return sealed;
  });
}

/** Encrypts, signs and stores new records in one request: all of them are saved, or none. */
export async function createRecords(documents: Array<RecordDocument & { recordId?: string }>): Promise<string[]> {
  await cryptoReady();
  const records = sealNewRecords(documents, unlocked());
  await api.post("/api/records", { records });
  return records.map((record) => record.id);
}

function recordKeyOf(record: Pick<RecordJson, "id" | "keyVersion" | "ownerWrap">, vaultKey: Uint8Array): Uint8Array {
  const ownerKey = deriveOwnerRecordKey(vaultKey);
  try {
    return unwrapRecordKey(fromBase64url(record.ownerWrap), ownerKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: "owner" });
  } finally {
    ownerKey.fill(0);
  }
}

/**
 * Verifies and opens one version. The signature is checked before decryption, so nothing
 * the author did not sign is ever parsed or shown.
 */
function openVersion(recordId: string, version: VersionJson, recordKey: Uint8Array, authorKey: Uint8Array): RecordDocument {
  const content = fromBase64url(version.content);
  verifyRecordVersion(
    { recordId, version: version.version, keyVersion: version.keyVersion, authorId: version.authorId, contentHash: hashBytes(content), fileHash: noFile },
    fromBase64url(version.signature),
    authorKey,
  );
  const plain = unpadBucket(decryptRecordContent(content, recordKey, { recordId, version: version.version, keyVersion: version.keyVersion }));
  const document = JSON.parse(fromUtf8(plain)) as RecordDocument;
  if (document.v !== 1 || typeof document.kind !== "string" || typeof document.resource?.resourceType !== "string") {
    throw new Error("unexpected record document");
  }
  return document;
}

/** The author's identity key: for now every author of a chart is its owner. */
function authorKeyFor(authorId: string, vault: ReturnType<typeof unlocked>): Uint8Array {
  if (authorId !== vault.userId) throw new Error("unknown author");
  return vault.keys.identityPublicKey;
}

/** The current record keys of some of the owner's records, for sharing them. */
export async function ownRecordKeys(recordIds: string[] | "all"): Promise<Array<{ recordId: string; keyVersion: number; recordKey: Uint8Array }>> {
  await cryptoReady();
  const vault = unlocked();
  const { records } = await api.get<{ records: RecordJson[] }>("/api/records");
  const chosen = recordIds === "all" ? records : records.filter((record) => recordIds.includes(record.id));
  return chosen.map((record) => ({ recordId: record.id, keyVersion: record.keyVersion, recordKey: recordKeyOf(record, vault.keys.vaultKey) }));
}

/** Verifies (against the author's identity key) and decrypts a version under a known record key. */
export function openSharedVersion(recordId: string, version: VersionJson, recordKey: Uint8Array, authorKey: Uint8Array): RecordDocument {
  return openVersion(recordId, version, recordKey, authorKey);
}

export type { VersionJson };

export async function loadChart(): Promise<ChartEntry[]> {
  await cryptoReady();
  const vault = unlocked();
  const { records } = await api.get<{ records: RecordJson[] }>("/api/records");
  return records.map((record): ChartEntry => {
    try {
      const recordKey = recordKeyOf(record, vault.keys.vaultKey);
      const document = openVersion(record.id, record.current, recordKey, authorKeyFor(record.current.authorId, vault));
      recordKey.fill(0);
      return {
        status: "ok",
        id: record.id,
        version: record.currentVersion,
        keyVersion: record.keyVersion,
        authorId: record.current.authorId,
        updatedAt: record.updatedAt,
        document,
      };
    } catch {
      return { status: "invalid", id: record.id, version: record.currentVersion, reason: "Its signature or encryption does not verify." };
    }
  });
}

export async function loadVersions(entry: { id: string; keyVersion: number }): Promise<Array<{ version: number; createdAt: string; document: RecordDocument }>> {
  await cryptoReady();
  const vault = unlocked();
  const [{ versions }, { records }] = await Promise.all([
    api.get<{ versions: VersionJson[] }>(`/api/records/${entry.id}/versions`),
    api.get<{ records: RecordJson[] }>("/api/records"),
  ]);
  const record = records.find((candidate) => candidate.id === entry.id);
  if (!record) throw new Error("record not found");
  const recordKey = recordKeyOf(record, vault.keys.vaultKey);
  try {
    return versions.map((version) => ({
      version: version.version,
      createdAt: version.createdAt,
      document: openVersion(entry.id, version, recordKey, authorKeyFor(version.authorId, vault)),
    }));
  } finally {
    recordKey.fill(0);
  }
}

/** Saves an edit as the next version, under the same record key. */
export async function saveVersion(entry: { id: string; version: number; keyVersion: number }, document: RecordDocument): Promise<void> {
  await cryptoReady();
  const vault = unlocked();
  const { records } = await api.get<{ records: RecordJson[] }>("/api/records");
  const record = records.find((candidate) => candidate.id === entry.id);
  if (!record) throw new Error("record not found");
  const recordKey = recordKeyOf(record, vault.keys.vaultKey);
  try {
    const payload = {
      ...seal(document, recordKey, { recordId: entry.id, version: entry.version + 1, keyVersion: entry.keyVersion }, vault),
      ...(document.file ? { blobId: document.file.blobId } : {}),
    };
    await api.post(`/api/records/${entry.id}/versions`, payload);
  } finally {
    recordKey.fill(0);
  }
}

export async function deleteRecord(id: string): Promise<void> {
  await api.delete(`/api/records/${id}`);
}
