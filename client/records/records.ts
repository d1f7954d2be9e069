import {
  commitRecordDocument,
  CryptoError,
  cryptoReady,
  isCryptoError,
  decryptRecordContent,
  encodeRecordBody,
  verifyRecordBody,
  generateCommitmentKey,
  type RecordBody,
  deriveShareKey,
  EnvelopeKind,
  envelopeKindOf,
  ownerGrantId,
  openRecordKeySealedToOwner,
  wrapRecordKey,
  deriveOwnerWrappingKey,
  encryptRecordContent,
  fromBase64url,
  generateRecordKey,
  signRecordVersion,
  toBase64url,
  unwrapRecordKey,
  utf8,
  fromUtf8,
  verifyRecordVersion,
  wrapRecordKeys,
  type RecordKey,
} from "@/crypto";
import { bodyLimits } from "@/contract/body-limits";
import { maxRecordsPerRequest, recordsRoutes, type ChartRecord, type Statement, type Version } from "@/contract/records";
import { routes } from "@/contract/routes";
import { ApiError, isAccessEnded, retryTransient, type Transport } from "../transport/api";
import { IntegrityError, isIntegrityError, verified } from "../integrity";
import { batchesWithin } from "../transport/request-batches";
import { authorshipLine } from "./authorship";
import { certifiedKeys, checkedContact, KeyChangedError } from "../sharing/contacts";
import { rememberDeletedRecord, rememberVerifiedRecords, rollbackError, staleRecords } from "../keystore/rollback-guard";
import { accessOf, withAccess, type FileReference } from "./files";
import { chartPages, wholeChartRecords, type PagingProgress } from "./record-pages";
import type { UnlockedKeys, UnlockedVault } from "../keystore/vault-store";
import type { ContextEntry } from "../fhir/types";

/** What a record's envelope holds: the FHIR resource and the little the app adds. */
export interface RecordDocument {
  v: 1;
  kind: string;
  resource: { resourceType: string; [key: string]: unknown };
  /** The resource's fullUrl in the bundle it was imported from, kept for export. */
  fullUrl?: string;
  /** For file records: where the encrypted body is and the key that opens it. */
  file?: FileReference;
  /**
   * The context resources (Practitioner, Organization, Location, Medication...) the resource
   * references, from the bundle it was imported from: never the Patient (the chart's owner).
   */
  context?: ContextEntry[];
}

/** A version's signed statement as served (contract/records.ts). */
export type StatementJson = Statement;
/** A version with its ciphertext as served (contract/records.ts). */
export type VersionJson = Version;
/** What opening a version reads of it: everything served but its file's blob id (which the document's file reference names). */
type OpenableVersion = Omit<Version, "blobId">;

export interface Author {
  userId: string;
  name: string;
}

/** Who wrote one version, verified against that person's certified identity key. */
export interface VersionAuthor {
  version: number;
  author: Author;
  /** When the server stored the version (its word, not signed). */
  createdAt: string;
}

export type ChartEntry =
  | {
      status: "ok";
      id: string;
      version: number;
      keyVersion: number;
      authorId: string;
      /** Every version's verified author, oldest first: the first wrote the record, the last the text shown. */
      authors: VersionAuthor[];
      /** Who added and edited it, for the owner to read ("Added by Dr … · edited by you"); null when only the owner wrote it. */
      authorship: string | null;
      updatedAt: string;
      document: RecordDocument;
    }
  | {
      status: "invalid";
      id: string;
      version: number;
      /** In words, for the chart's warning: rolled back, or not verifying. */
      reason: string;
      /** The check it failed ("rollback" for an older copy than this browser has shown). */
      failure: IntegrityError;
    };

/** A record of the chart that verified. */
export type OkEntry = Extract<ChartEntry, { status: "ok" }>;

/**
 * Splits a document into what its author signs (everything, with a file reduced to its
 * size and plaintext digest) and how to reach its file (which a key rotation replaces).
 */
function bodyOf(document: RecordDocument, commitmentKey: Uint8Array): RecordBody {
  const { file, ...rest } = document;
  const signed = file ? { ...rest, file: { size: file.size, digest: file.digest } } : rest;
  return { commitmentKey, document: utf8(JSON.stringify(signed)), access: file ? utf8(JSON.stringify(accessOf(file))) : new Uint8Array(0) };
}

/** A body encrypted and padded under a record key, for the given record, version and key version. */
function encryptBody(body: RecordBody, recordKey: RecordKey, context: { recordId: string; version: number; keyVersion: number }): string {
  return toBase64url(encryptRecordContent(encodeRecordBody(body), recordKey, context));
}

/**
 * Encrypts a new version and signs it as `author`: `{version, keyVersion, content, commitment, signature}`
 * (base64url), ready for the server. The signature covers the commitment, not the ciphertext.
 */
export function sealVersion(
  document: RecordDocument,
  recordKey: RecordKey,
  context: { recordId: string; version: number; keyVersion: number },
  author: { userId: string; keys: UnlockedKeys },
) {
  const body = bodyOf(document, generateCommitmentKey());
  const commitment = commitRecordDocument(body.commitmentKey, context, body.document);
  const signature = signRecordVersion(
    { recordId: context.recordId, version: context.version, authorId: author.userId, commitment },
    author.keys.identitySecretKey,
  );
  const content = encryptBody(body, recordKey, context);
  body.commitmentKey.fill(0);
  return { version: context.version, keyVersion: context.keyVersion, content, commitment: toBase64url(commitment), signature: toBase64url(signature) };
}

/**
 * Re-encrypts an opened version under a new record key, keeping its document and commitment
 * key byte for byte (so its author's signature still verifies) with the file reached
 * through `file` (the re-encrypted copy). Returns the base64url content envelope.
 */
export function reencryptVersion(
  opened: OpenedVersion,
  recordKey: RecordKey,
  context: { recordId: string; version: number; keyVersion: number },
  file?: FileReference,
): string {
  if (Boolean(file) !== Boolean(opened.document.file)) throw new Error("a file record must be moved with its file");
  const access = file ? utf8(JSON.stringify(accessOf(file))) : new Uint8Array(0);
  return encryptBody({ commitmentKey: opened.body.commitmentKey, document: opened.body.document, access }, recordKey, context);
}

/**
 * Encrypts, pads, signs and wraps new records for their owner: everything the server
 * stores, and nothing it could read. Pure, so benchmarks and tests can call it directly.
 */
export function sealNewRecords(documents: Array<RecordDocument & { recordId?: string }>, author: { userId: string; keys: UnlockedKeys }) {
  const items = documents.map(({ recordId, ...document }) => ({ id: recordId ?? crypto.randomUUID(), recordKey: generateRecordKey(), document }));
  const ownerKey = deriveOwnerWrappingKey(author.keys.vaultKey);
  const wraps = wrapRecordKeys(
    items.map((item) => ({ recordKey: item.recordKey, recordId: item.id, keyVersion: 1 })),
    ownerKey,
    { grantId: ownerGrantId },
  );
  ownerKey.fill(0);
  return items.map((item, index) => {
    const sealed = {
      id: item.id,
      ownerWrap: toBase64url(wraps[index]!),
      version: {
        ...sealVersion(item.document, item.recordKey, { recordId: item.id, version: 1, keyVersion: 1 }, author),
        ...(item.document.file ? { blobId: item.document.file.blobId } : {}),
      },
    };
    item.recordKey.fill(0);
    return sealed;
  });
}

/** The owner's wrap of a record key, under the owner key derived from the vault key. */
export function ownerWrapFor(recordKey: RecordKey, recordId: string, keyVersion: number, vault: { keys: UnlockedKeys }): string {
  const ownerKey = deriveOwnerWrappingKey(vault.keys.vaultKey);
  try {
    return toBase64url(wrapRecordKeys([{ recordKey, recordId, keyVersion }], ownerKey, { grantId: ownerGrantId })[0]!);
  } finally {
    ownerKey.fill(0);
  }
}

/**
 * Encrypts, signs and stores new records saved from the chart (a form, an upload) in one
 * request, all or none: each wrapped for every active "all records" grant at once, so those
 * clinicians see it; if sharing changed meanwhile (409), the grants are read again and the
 * request retried (records already stored are taken as done). Many records (an import, a
 * restore) go through `importRecords` (client/records/import-records.ts), which splits them
 * over as many requests as needed and is still all or nothing. Returns the new records' ids,
 * in order.
 * @throws ApiError for a refusal or no answer; RangeError for more than one request holds.
 */
export async function createRecords(documents: Array<RecordDocument & { recordId?: string }>, vault: UnlockedVault, transport: Transport): Promise<string[]> {
  await cryptoReady();
  const sealed = sealNewRecords(documents, vault);
  for (let attempt = 0; ; attempt += 1) {
    const allGrants = await activeAllRecordsGrants(vault, transport);
    const records = sealed.map((record) => ({ ...record, grantWraps: wrapForGrants(record.id, 1, record.ownerWrap, allGrants, vault) }));
    const batches = batchesWithin(records, "records", bodyLimits.recordsBatch);
    if (batches.length > 1 || records.length > maxRecordsPerRequest)
      throw new RangeError("These records do not fit one request: save them with importRecords.");
    try {
      // The same sealed records go again after a cut-off request: the server takes a record it already has as done.
      await retryTransient(() => transport.call(recordsRoutes.create, { body: { records } }));
      return records.map((record) => record.id);
    } catch (caught) {
      const sharingChanged = caught instanceof ApiError && caught.status === 409 && caught.code === "conflict";
      if (!sharingChanged || attempt >= 2) throw caught;
    }
  }
}

/** The ids of the patient's active "all records" grants, which every new record is wrapped for (not one awaiting renewal). */
export async function activeAllRecordsGrants(vault: UnlockedVault, transport: Transport): Promise<string[]> {
  if (vault.role !== "patient") return [];
  // TODO(issue 13): typed by contract/sharing.ts once the grants list's schema lands; the cast goes with it.
  const { grants } = (await transport.call(routes.grants.list, {})) as {
    grants: Array<{ id: string; scope: string; revokedAt: string | null; expiresAt: string | null; awaitingRenewal?: boolean }>;
  };
  const now = Date.now();
  // A share with a care team that lost a member takes no new key until it is renewed (its successor then wraps every record).
  return grants
    .filter((grant) => grant.scope === "all" && !grant.revokedAt && !grant.awaitingRenewal && (!grant.expiresAt || new Date(grant.expiresAt).getTime() > now))
    .map((grant) => grant.id);
}

/** The record key (opened from the owner's wrap) wrapped under each grant's share key. */
export function wrapForGrants(recordId: string, keyVersion: number, ownerWrap: string, grantIds: string[], vault: { keys: UnlockedKeys }) {
  if (grantIds.length === 0) return [];
  const recordKey = recordKeyOf({ id: recordId, keyVersion, ownerWrap }, vault);
  try {
    return grantIds.map((grantId) => {
      const shareKey = deriveShareKey(vault.keys.vaultKey, { grantId });
      const wrappedKey = toBase64url(wrapRecordKey(recordKey, shareKey, { recordId, keyVersion, grantId }));
      shareKey.fill(0);
      return { grantId, wrappedKey };
    });
  } finally {
    recordKey.fill(0);
  }
}

/**
 * Opens the owner's copy of a record key: wrapped under the owner key for records the
 * owner wrote, or sealed to the owner's encryption key for records a clinician contributed.
 */
export function recordKeyOf(record: { id: string; keyVersion: number; ownerWrap: string }, vault: { keys: UnlockedKeys }): RecordKey {
  const wrap = fromBase64url(record.ownerWrap);
  if (envelopeKindOf(wrap) === EnvelopeKind.sealedRecordKey) {
    return openRecordKeySealedToOwner(
      wrap,
      { publicKey: vault.keys.encryptionPublicKey, secretKey: vault.keys.encryptionSecretKey },
      { recordId: record.id, keyVersion: record.keyVersion },
    );
  }
  const ownerKey = deriveOwnerWrappingKey(vault.keys.vaultKey);
  try {
    return unwrapRecordKey(wrap, ownerKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: ownerGrantId });
  } finally {
    ownerKey.fill(0);
  }
}

/** JSON inside an opened envelope; text that is not JSON is a malformed record (CryptoError), not a bug. */
function parsedJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(bytes));
  } catch (caught) {
    if (caught instanceof SyntaxError) throw new CryptoError("malformed");
    throw caught;
  }
}

/** A verified, decrypted version: the document to show, and the exact body to move to a new key. */
export interface OpenedVersion {
  document: RecordDocument;
  body: RecordBody;
}

/** Throws CryptoError("authentication-failed") unless `authorKey` signed this statement. */
function verifyStatement(recordId: string, statement: StatementJson, authorKey: Uint8Array): void {
  verifyRecordVersion(
    { recordId, version: statement.version, authorId: statement.authorId, commitment: fromBase64url(statement.commitment) },
    fromBase64url(statement.signature),
    authorKey,
  );
}

/**
 * Verifies and opens one version. The author's signature over the statement is checked
 * before decryption, and the decrypted document against the signed commitment before it is
 * parsed, so nothing the author did not sign is ever parsed or shown. Throws CryptoError for
 * an integrity failure, and CryptoError("malformed") for a document this app cannot read.
 */
function openVersion(recordId: string, version: OpenableVersion, recordKey: RecordKey, authorKey: Uint8Array): OpenedVersion {
  verifyStatement(recordId, version, authorKey);
  const context = { recordId, version: version.version, keyVersion: version.keyVersion };
  const body = verifyRecordBody(decryptRecordContent(fromBase64url(version.content), recordKey, context), fromBase64url(version.commitment), context);
  const signed = parsedJson(body.document) as RecordDocument;
  if (signed.v !== 1 || typeof signed.kind !== "string" || typeof signed.resource?.resourceType !== "string") {
    throw new CryptoError("malformed");
  }
  const document = signed.file ? { ...signed, file: withAccess(signed.file, parsedJson(body.access)) } : signed;
  return { document, body };
}

/**
 * Verifies who wrote every version of a record: the statements must run 1..current without
 * a gap, each signed by its author's certified key, and the last must be the version shown.
 * Returns the authors oldest first; throws (CryptoError or Error) when any does not verify.
 */
export function verifyAuthorship(
  recordId: string,
  current: StatementJson,
  statements: StatementJson[],
  authors: Map<string, { identityPublicKey: Uint8Array; name: string }>,
): VersionAuthor[] {
  if (statements.length !== current.version || statements.some((statement, index) => statement.version !== index + 1)) {
    throw new CryptoError("authentication-failed");
  }
  const last = statements[statements.length - 1]!;
  if (last.authorId !== current.authorId || last.commitment !== current.commitment || last.signature !== current.signature) {
    throw new CryptoError("authentication-failed");
  }
  return statements.map((statement) => {
    const author = authors.get(statement.authorId);
    if (!author) throw new CryptoError("authentication-failed");
    verifyStatement(recordId, statement, author.identityPublicKey);
    return { version: statement.version, author: { userId: statement.authorId, name: author.name }, createdAt: statement.createdAt };
  });
}

/**
 * The identity keys of the people who wrote some records: oneself, people already known,
 * and clinicians whose certificates verify and whose keys match the vault's pin. Someone
 * whose keys cannot be checked (a certificate that does not verify, keys that changed since
 * they were pinned, an account that no longer exists) is left out, and their records are
 * refused. Any other failure (no answer, a bug) is thrown.
 */
export async function authorKeys(
  authorIds: string[],
  vault: UnlockedVault,
  transport: Transport,
  known: Map<string, { identityPublicKey: Uint8Array; name: string }> = new Map(),
) {
  const authors = new Map(known);
  authors.set(vault.userId, { identityPublicKey: vault.keys.identityPublicKey, name: "You" });
  for (const authorId of new Set(authorIds)) {
    if (authors.has(authorId)) continue;
    try {
      const keys = vault.role === "patient" ? await checkedContact(authorId, vault, transport) : await certifiedKeys(authorId, transport);
      const entry = keys.directory;
      const title = entry ? `${entry.displayName} (${entry.role === "doctor" ? "doctor" : "nurse"})` : "Unknown author";
      authors.set(authorId, { identityPublicKey: keys.identityPublicKey, name: title });
    } catch (caught) {
      // Left out on purpose: see above.
      if (!(isIntegrityError(caught) || isCryptoError(caught) || caught instanceof KeyChangedError || isAccessEnded(caught))) throw caught;
    }
  }
  return authors;
}

/** The current record keys of some of the owner's records, for sharing them. @throws IntegrityError when a key does not open or is older than seen. */
export async function ownRecordKeys(
  recordIds: string[] | "all",
  vault: UnlockedVault,
  transport: Transport,
): Promise<Array<{ recordId: string; keyVersion: number; recordKey: RecordKey }>> {
  await cryptoReady();
  const records = await wholeChartRecords(transport);
  const chosen = recordIds === "all" ? records : records.filter((record) => recordIds.includes(record.id));
  // An older key would hand the clinician a key that may already be out in the open.
  if (staleRecords(vault.userId, chosen.map(servedRecord)).size > 0) throw rollbackError("some of your records");
  return chosen.map((record) => ({ recordId: record.id, keyVersion: record.keyVersion, recordKey: verified("wrong-key", () => recordKeyOf(record, vault)) }));
}

/** Verifies (against the author's identity key) and decrypts a version under a known record key. Throws CryptoError when it does not verify. */
export function openSharedVersion(recordId: string, version: OpenableVersion, recordKey: RecordKey, authorKey: Uint8Array): OpenedVersion {
  return openVersion(recordId, version, recordKey, authorKey);
}

/** What the rollback guard compares: the version the content itself is signed as, and its key version. */
export const servedRecord = (record: { id: string; keyVersion: number; current: { version: number; keyVersion: number } }) => ({
  id: record.id,
  version: record.current.version,
  keyVersion: Math.max(record.keyVersion, record.current.keyVersion),
});

export const olderThanSeen = "The server sent an older version of it than this browser has already shown.";
const doesNotVerify = "Its signature or encryption does not verify.";

type Authors = Map<string, { identityPublicKey: Uint8Array; name: string }>;

/**
 * Verifies and opens one record of the owner's chart: its counters against its signed
 * version, every version's author, its key (from the owner's wrap), its current version.
 * @throws IntegrityError "signature" (an author or statement that does not verify),
 *   "wrong-key" (a key wrap that does not open for this record), "decrypt" (content that
 *   does not authenticate), "shape" (a document this app cannot read).
 */
function openChartRecord(record: ChartRecord, vault: UnlockedVault, authors: Authors): OkEntry {
  const versionAuthors = verified("signature", () => {
    // The record's counters are the server's word; the version's are signed: they must agree.
    if (record.current.version !== record.currentVersion || record.current.keyVersion !== record.keyVersion) throw new CryptoError("authentication-failed");
    return verifyAuthorship(record.id, record.current, record.statements, authors);
  });
  const author = authors.get(record.current.authorId)!;
  const recordKey = verified("wrong-key", () => recordKeyOf(record, vault));
  try {
    const { document } = verified("decrypt", () => openVersion(record.id, record.current, recordKey, author.identityPublicKey));
    return {
      status: "ok",
      id: record.id,
      version: record.currentVersion,
      keyVersion: record.keyVersion,
      authorId: record.current.authorId,
      authors: versionAuthors,
      authorship: authorshipLine(versionAuthors, vault.userId, vault.userId),
      updatedAt: record.updatedAt,
      document,
    };
  } finally {
    recordKey.fill(0);
  }
}

/** A record that failed its checks, as the chart lists it: not shown, counted, and said why. */
const invalidEntry = (record: ChartRecord, failure: IntegrityError): ChartEntry => ({
  status: "invalid",
  id: record.id,
  version: record.currentVersion,
  reason: failure.code === "rollback" ? olderThanSeen : doesNotVerify,
  failure,
});

/** How `loadWholeChart` pages: records per request, and what to tell as pages arrive. */
export interface ChartLoadOptions {
  /** Records per request; the server's default when absent. */
  pageSize?: number;
  /** Called after each page is verified, with every entry so far (in the chart's order) and how far the load has come. */
  onPage?: (entries: ChartEntry[], progress: PagingProgress) => void;
}

/**
 * Loads the owner's whole chart, page after page (client/records/record-pages.ts), and
 * verifies every record as its page arrives: each version's statement against its author's
 * certified key, the current version's content against its signed commitment, and each record
 * against what this browser has already seen (the rollback guard). A record that fails is
 * listed as invalid with its IntegrityError (code "rollback" for an older copy than seen), so
 * the others still show; the records that verify are remembered as seen. Everything that needs
 * every record (the summary, backup, export, import's duplicate check, sharing) reads this.
 * @throws ApiError for a refusal or no answer; IntegrityError("shape") for an answer outside
 *   the contract or pages that repeat a record; anything else (a bug) as is.
 */
export async function loadWholeChart(vault: UnlockedVault, transport: Transport, options: ChartLoadOptions = {}): Promise<ChartEntry[]> {
  await cryptoReady();
  const entries: ChartEntry[] = [];
  let authors: Authors = new Map();
  for await (const { records, total } of chartPages(transport, options.pageSize)) {
    authors = await authorKeys(
      records.flatMap((record) => record.statements.map((statement) => statement.authorId)),
      vault,
      transport,
      authors,
    );
    entries.push(...verifyChartRecords(records, vault, authors));
    options.onPage?.([...entries], { loaded: entries.length, total: Math.max(total, entries.length) });
  }
  return entries;
}

/** Verifies and opens records of the owner's chart (`openChartRecord`), as `loadWholeChart` says, and remembers those that verify. */
function verifyChartRecords(records: ChartRecord[], vault: UnlockedVault, authors: Authors): ChartEntry[] {
  const stale = staleRecords(vault.userId, records.map(servedRecord));
  const entries = records.map((record): ChartEntry => {
    try {
      if (stale.has(record.id)) throw rollbackError("this record");
      return openChartRecord(record, vault, authors);
    } catch (caught) {
      // Only an integrity failure marks one record as not verifying; a bug is not passed off as tampering.
      if (!isIntegrityError(caught)) throw caught;
      return invalidEntry(record, caught);
    }
  });
  rememberVerifiedRecords(
    vault.userId,
    entries.flatMap((entry) => (entry.status === "ok" ? [{ id: entry.id, version: entry.version, keyVersion: entry.keyVersion }] : [])),
  );
  return entries;
}

/**
 * Loads and verifies one record of the owner's chart (GET /api/records/[id]), as `loadWholeChart`
 * verifies each, without downloading the rest of the chart.
 * @throws ApiError 404 when it is not (or no longer) in the chart; IntegrityError when it
 *   fails a check ("rollback" for an older copy than this browser has seen).
 */
export async function loadRecord(id: string, vault: UnlockedVault, transport: Transport): Promise<OkEntry> {
  await cryptoReady();
  const record = await transport.call(recordsRoutes.get, { params: { id } });
  if (record.id !== id) throw new IntegrityError("shape");
  if (staleRecords(vault.userId, [servedRecord(record)]).size > 0) throw rollbackError("this record");
  const authors = await authorKeys(
    record.statements.map((statement) => statement.authorId),
    vault,
    transport,
  );
  const entry = openChartRecord(record, vault, authors);
  rememberVerifiedRecords(vault.userId, [{ id: entry.id, version: entry.version, keyVersion: entry.keyVersion }]);
  return entry;
}

/**
 * Every version of one record, each verified against its author and decrypted under the key
 * it was written under, oldest first.
 * @throws IntegrityError when any version fails its checks, or the list ends before a version
 *   this browser has shown ("rollback"); ApiError for a refusal or no answer.
 */
export async function loadVersions(
  entry: { id: string; keyVersion: number },
  vault: UnlockedVault,
  transport: Transport,
): Promise<Array<{ version: number; createdAt: string; author: Author; document: RecordDocument }>> {
  await cryptoReady();
  const { versions, ownerWraps } = await transport.call(recordsRoutes.versions, { params: { id: entry.id } });
  const newest = Math.max(0, ...versions.map((version) => version.version));
  const newestKey = Math.max(0, ...versions.map((version) => version.keyVersion));
  if (staleRecords(vault.userId, [{ id: entry.id, version: newest, keyVersion: newestKey }]).size > 0) throw rollbackError("this record's history");
  const authors = await authorKeys(
    versions.map((version) => version.authorId),
    vault,
    transport,
  );
  const keys = new Map<number, RecordKey>();
  try {
    for (const wrap of ownerWraps)
      keys.set(
        wrap.keyVersion,
        verified("wrong-key", () => recordKeyOf({ id: entry.id, keyVersion: wrap.keyVersion, ownerWrap: wrap.wrappedKey }, vault)),
      );
    return versions.map((version) => {
      const recordKey = keys.get(version.keyVersion);
      const author = authors.get(version.authorId);
      if (!recordKey) throw new IntegrityError("wrong-key");
      if (!author) throw new IntegrityError("signature");
      return {
        version: version.version,
        createdAt: version.createdAt,
        author: { userId: version.authorId, name: author.name },
        document: verified("decrypt", () => openVersion(entry.id, version, recordKey, author.identityPublicKey)).document,
      };
    });
  } finally {
    for (const key of keys.values()) key.fill(0);
  }
}

/**
 * Saves an edit as the next version (`entry.version + 1`), under the record's current key,
 * read with the one-record read: the rest of the chart is neither downloaded nor decrypted.
 * @throws ApiError 409 when the record changed since `entry` was loaded, 404 when it is gone;
 *   IntegrityError when the served record's key does not open or is older than seen.
 */
export async function saveVersion(
  entry: { id: string; version: number; keyVersion: number },
  document: RecordDocument,
  vault: UnlockedVault,
  transport: Transport,
): Promise<void> {
  await cryptoReady();
  const record = await transport.call(recordsRoutes.get, { params: { id: entry.id } });
  if (record.id !== entry.id) throw new IntegrityError("shape");
  if (staleRecords(vault.userId, [servedRecord(record)]).size > 0) throw rollbackError("this record");
  const recordKey = verified("wrong-key", () => recordKeyOf(record, vault));
  try {
    const payload = {
      ...sealVersion(document, recordKey, { recordId: entry.id, version: entry.version + 1, keyVersion: entry.keyVersion }, vault),
      ...(document.file ? { blobId: document.file.blobId } : {}),
    };
    await transport.call(recordsRoutes.addVersion, { params: { id: entry.id }, body: payload });
  } finally {
    recordKey.fill(0);
  }
}

/** Deletes a record with its versions and file; this browser remembers it, so a server serving it again is caught. */
export async function deleteRecord(id: string, vault: UnlockedVault, transport: Transport): Promise<void> {
  await transport.call(recordsRoutes.remove, { params: { id } });
  rememberDeletedRecord(vault.userId, id);
}
