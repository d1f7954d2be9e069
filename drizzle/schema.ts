/**
 * The database schema. The server stores only what DESIGN.md "What the server may
 * know" allows: ids, roles, public keys, the public directory, ciphertext, wrapped
 * keys, signatures, padded sizes, timestamps, the sharing graph and audit events.
 * Every column that holds cryptographic material is opaque bytes (bytea).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

/** Opaque bytes. Drivers return Buffer (postgres.js) or Uint8Array (PGlite); both become Uint8Array. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

const stampedNow = (name: string) => timestamp(name, { withTimezone: true, mode: "date" }).notNull().defaultNow();
const createdAt = () => stampedNow("created_at");
const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const userRole = pgEnum("user_role", ["patient", "doctor", "nurse", "admin"]);
export const challengeCeremony = pgEnum("challenge_ceremony", ["registration", "authentication", "add-passkey", "recovery", "fresh-proof"]);
export const unlockMethod = pgEnum("unlock_method", ["prf", "device", "recovery"]);
export const grantScope = pgEnum("grant_scope", ["records", "all"]);
export const grantPermission = pgEnum("grant_permission", ["read", "contribute"]);
export const blobStatus = pgEnum("blob_status", ["uploading", "complete"]);
export const auditOutcome = pgEnum("audit_outcome", ["success", "failure", "denied"]);

export const users = pgTable("users", {
  id: uuid("id").primaryKey(),
  role: userRole("role").notNull(),
  createdAt: createdAt(),
  disabledAt: at("disabled_at"),
});

/** Public by design: clinicians choose to be found. Patients have no row here. */
export const clinicianDirectory = pgTable(
  "clinician_directory",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    displayName: text("display_name").notNull(),
    specialty: text("specialty").notNull(),
    organization: text("organization").notNull(),
    licenceNumber: text("licence_number").notNull(),
    verifiedAt: at("verified_at"),
    verifiedBy: uuid("verified_by").references(() => users.id),
    updatedAt: stampedNow("updated_at"),
  },
  (table) => [index("clinician_directory_name_idx").on(table.displayName)],
);

/**
 * Administrators' signed statements about clinicians' directory entries (verify, revoke), kept
 * as signed so patients' browsers can check them against pinned administrator keys: the server
 * stores and serves them, and cannot make one. The clinician's identity key they bind is the
 * clinician's current key (key_certificates), not stored here: a changed key voids them.
 * clinician_directory.verified_at/verified_by mirror the latest for ordering search results.
 */
export const directoryVerifications = pgTable(
  "directory_verifications",
  {
    /** The statement id the administrator signed. */
    id: uuid("id").primaryKey(),
    clinicianId: uuid("clinician_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    adminId: uuid("admin_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    action: text("action").notNull(),
    displayName: text("display_name").notNull(),
    specialty: text("specialty").notNull(),
    organization: text("organization").notNull(),
    licenceNumber: text("licence_number").notNull(),
    adminName: text("admin_name").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "date" }).notNull(),
    signature: bytea("signature").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index("directory_verifications_clinician_idx").on(table.clinicianId, table.issuedAt),
    check("directory_verifications_action_check", sql`${table.action} in ('verify', 'revoke')`),
  ],
);

export const passkeyCredentials = pgTable(
  "passkey_credentials",
  {
    /** base64url credential id as the authenticator reports it. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    publicKey: bytea("public_key").notNull(),
    signCount: bigint("sign_count", { mode: "number" }).notNull().default(0),
    transports: text("transports")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    prfCapable: boolean("prf_capable").notNull(),
    name: text("name").notNull(),
    createdAt: createdAt(),
    lastUsedAt: at("last_used_at"),
  },
  (table) => [index("passkey_credentials_user_idx").on(table.userId)],
);

/** Only the SHA-256 of the opaque cookie token is stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: bytea("token_hash").notNull(),
    createdAt: createdAt(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
    expiresAt: at("expires_at").notNull(),
    endedAt: at("ended_at"),
    /**
     * When this session's person last made a passkey assertion with user verification (the
     * sign-in itself, or a fresh proof: lib/auth/fresh-proof.ts). Sensitive actions need it recent.
     */
    verifiedAt: at("verified_at"),
  },
  (table) => [uniqueIndex("sessions_token_hash_idx").on(table.tokenHash), index("sessions_user_idx").on(table.userId)],
);

/**
 * The browsers an account has signed in from, each known by the SHA-256 of a random cookie
 * token it keeps (lib/sessions/known-browsers.ts): a sign-in from a browser not on the list is
 * announced to the account ("a sign-in from a new device"), since a synced passkey signs in
 * anywhere without adding one. Only the hash is stored, as for sessions.
 */
export const knownBrowsers = pgTable(
  "known_browsers",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: bytea("token_hash").notNull(),
    firstSeenAt: at("first_seen_at").notNull().defaultNow(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.tokenHash] })],
);

/** Single-use, short-lived, bound to the ceremony (and user, where known) they were made for. */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    id: uuid("id").primaryKey(),
    challenge: text("challenge").notNull(),
    ceremony: challengeCeremony("ceremony").notNull(),
    /** The user the ceremony is for; at sign-up that user does not exist yet, hence no foreign key. */
    userId: uuid("user_id"),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    consumedAt: at("consumed_at"),
  },
  (table) => [uniqueIndex("webauthn_challenges_challenge_idx").on(table.challenge)],
);

/** Signed by the user's identity key in the browser; the server only stores and serves it. */
export const keyCertificates = pgTable(
  "key_certificates",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    identityPublicKey: bytea("identity_public_key").notNull(),
    encryptionPublicKey: bytea("encryption_public_key").notNull(),
    certificate: bytea("certificate").notNull(),
    createdAt: createdAt(),
    supersededAt: at("superseded_at"),
  },
  (table) => [index("key_certificates_user_idx").on(table.userId)],
);

/** The private key bundle, sealed under the vault key the server never sees. */
export const encryptedKeyBundles = pgTable("encrypted_key_bundles", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  bundle: bytea("bundle").notNull(),
  revision: integer("revision").notNull().default(1),
  updatedAt: stampedNow("updated_at"),
});

/** One wrap of the vault key per unlock method (passkey PRF, device key, recovery key). */
export const vaultKeyWraps = pgTable(
  "vault_key_wraps",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    method: unlockMethod("method").notNull(),
    credentialId: text("credential_id").references(() => passkeyCredentials.id, { onDelete: "cascade" }),
    /** Random id of the browser profile holding a non-extractable device key. */
    deviceId: text("device_id"),
    salt: bytea("salt").notNull(),
    wrappedKey: bytea("wrapped_key").notNull(),
    createdAt: createdAt(),
  },
  (table) => [index("vault_key_wraps_user_idx").on(table.userId)],
);

/** Public half of the signing key derived from the recovery key. */
export const recoveryVerifiers = pgTable(
  "recovery_verifiers",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    publicKey: bytea("public_key").notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("recovery_verifiers_public_key_idx").on(table.publicKey)],
);

export const records = pgTable(
  "records",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currentVersion: integer("current_version").notNull(),
    keyVersion: integer("key_version").notNull(),
    createdAt: createdAt(),
    updatedAt: stampedNow("updated_at"),
  },
  // The chart's order (lib/records/chart-pages.ts): a page is an index range, whatever the chart's size.
  (table) => [index("records_owner_created_idx").on(table.ownerId, table.createdAt, table.id)],
);

/**
 * How many records each patient's chart holds, for the chart page's `total`
 * (lib/records/chart-read.ts) without counting the chart on every read. Kept by triggers on
 * `records` (migration 0031), in the same transaction as the insert or delete, whichever code
 * path writes: a patient with no row has no records. Statement-level, so an import's commit
 * of thousands of records updates it once.
 */
export const recordCounts = pgTable("record_counts", {
  ownerId: uuid("owner_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  records: integer("records").notNull(),
});

export const recordVersions = pgTable(
  "record_versions",
  {
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    keyVersion: integer("key_version").notNull(),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    /** Envelope of the structured content and metadata (title, type, dates, file name, MIME). */
    contentCiphertext: bytea("content_ciphertext").notNull(),
    /** An encrypted file body, when the record carries one. */
    blobId: uuid("blob_id").references(() => blobs.id),
    paddedSize: bigint("padded_size", { mode: "number" }).notNull(),
    /** The author's hiding commitment to the version's document; the signature covers it, not the ciphertext. */
    commitment: bytea("commitment").notNull(),
    signature: bytea("signature").notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.recordId, table.version] })],
);

/** A record key wrapped for its owner (grantId null) or under a grant's share key. */
export const recordKeyWraps = pgTable(
  "record_key_wraps",
  {
    id: uuid("id").primaryKey(),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id, { onDelete: "cascade" }),
    keyVersion: integer("key_version").notNull(),
    grantId: uuid("grant_id").references(() => grants.id, { onDelete: "cascade" }),
    wrappedKey: bytea("wrapped_key").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("record_key_wraps_target_idx")
      .on(table.recordId, table.keyVersion, table.grantId)
      .where(sql`${table.grantId} is not null`),
    uniqueIndex("record_key_wraps_owner_idx")
      .on(table.recordId, table.keyVersion)
      .where(sql`${table.grantId} is null`),
    // A clinician's page of a grant's records (lib/grants/grant-store.ts recordsUnderGrant) is an index range, by record id.
    index("record_key_wraps_grant_record_idx").on(table.grantId, table.recordId),
  ],
);

export const grants = pgTable(
  "grants",
  {
    id: uuid("id").primaryKey(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The clinician shared with; null for a grant to a care team (`teamId`): exactly one of the two is set. */
    clinicianId: uuid("clinician_id").references(() => users.id, { onDelete: "cascade" }),
    /** The care team shared with (lib/teams): its current members open the records. */
    teamId: uuid("team_id").references(() => careTeams.id, { onDelete: "cascade" }),
    /** For a team grant: the team key version the share key is sealed to now (re-sealed after a member leaves). */
    teamKeyVersion: integer("team_key_version"),
    /**
     * For a team grant: the team's key version when this grant's share key was made. A member
     * removed since (the team's key version is higher, or a new one is awaited) may know the share
     * key: the patient's browser renews the grant (lib/teams/team-grant-renewal.ts).
     */
    shareKeyTeamVersion: integer("share_key_team_version"),
    /** The grant this one renewed with a new share key after a member left its team: one continuing share. */
    renewsGrantId: uuid("renews_grant_id").references((): AnyPgColumn => grants.id, { onDelete: "set null" }),
    /** When this grant renewed `renewsGrantId` (its `createdAt` is the first grant's, when the share began). */
    renewedAt: at("renewed_at"),
    scope: grantScope("scope").notNull(),
    permission: grantPermission("permission").notNull(),
    expiresAt: at("expires_at"),
    /** Null once revoked: deleting the share key is what cuts the clinician off. */
    sealedShareKey: bytea("sealed_share_key"),
    statement: bytea("statement").notNull(),
    signature: bytea("signature").notNull(),
    /** The signed statement's revision: 1 when made, one more at each change the patient signs. */
    revision: integer("revision").notNull().default(1),
    /** What the patient chose to tell this clinician (their name), encrypted under the share key. */
    sealedProfile: bytea("sealed_profile"),
    createdAt: createdAt(),
    revokedAt: at("revoked_at"),
    /** When the clinician last fetched records under this grant, for the patient's dashboard. */
    lastOpenedAt: at("last_opened_at"),
  },
  (table) => [
    index("grants_patient_idx").on(table.patientId),
    index("grants_clinician_idx").on(table.clinicianId),
    index("grants_team_idx").on(table.teamId),
    uniqueIndex("grants_renews_grant_idx").on(table.renewsGrantId),
    check(
      "grants_one_grantee_check",
      sql`(${table.clinicianId} is not null and ${table.teamId} is null and ${table.teamKeyVersion} is null) or (${table.clinicianId} is null and ${table.teamId} is not null and ${table.teamKeyVersion} is not null)`,
    ),
  ],
);

export const grantRecords = pgTable(
  "grant_records",
  {
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id, { onDelete: "cascade" }),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.grantId, table.recordId] })],
);

/** Records the patient took out of an "all records" grant one by one. */
export const grantExclusions = pgTable(
  "grant_exclusions",
  {
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id, { onDelete: "cascade" }),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.grantId, table.recordId] })],
);

/**
 * Records whose key a revoked clinician held: the patient's browser re-encrypts each under
 * a fresh key and clears its row, so the queue survives reloads and sign-outs.
 */
export const keyRotations = pgTable(
  "key_rotations",
  {
    recordId: uuid("record_id")
      .primaryKey()
      .references(() => records.id, { onDelete: "cascade" }),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    requestedAt: stampedNow("requested_at"),
  },
  (table) => [index("key_rotations_owner_idx").on(table.ownerId)],
);

/** What an audit event says, chained (audit_events) or waiting to be (audit_inbox): the fields its hash covers but its place. */
const auditEventContent = () => ({
  actorId: uuid("actor_id"),
  action: text("action").notNull(),
  recordId: uuid("record_id"),
  grantId: uuid("grant_id"),
  /** For an event about many records at once (a clinician's list of shared records): which ones, sorted. */
  recordIds: uuid("record_ids").array(),
  outcome: auditOutcome("outcome").notNull(),
  occurredAt: stampedNow("occurred_at"),
  /** For a counted event (repeated refusals or failed sign-ins, one per window): how many, and the first and last. */
  count: integer("count"),
  windowStart: at("window_start"),
  windowEnd: at("window_end"),
  /** For an event done without an account (a SMART Health Link opened): the name its opener declared, as they wrote it. */
  recipient: text("recipient"),
});

/**
 * Append-only and hash-chained per subject (seq, prev_hash, hash): the person whose trail the
 * event belongs to, a patient or a clinician. Never carries PHI.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    subjectId: uuid("subject_id")
      .notNull()
      .references(() => users.id),
    seq: integer("seq").notNull(),
    ...auditEventContent(),
    prevHash: bytea("prev_hash").notNull(),
    hash: bytea("hash").notNull(),
  },
  (table) => [uniqueIndex("audit_events_chain_idx").on(table.subjectId, table.seq), index("audit_events_actor_idx").on(table.actorId)],
);

/** The last link of each person's audit chain: locking this row orders concurrent appends. */
export const auditHeads = pgTable("audit_heads", {
  subjectId: uuid("subject_id")
    .primaryKey()
    .references(() => users.id),
  seq: integer("seq").notNull(),
  hash: bytea("hash").notNull(),
});

/**
 * Audit events not chained yet (lib/audit/audit-log.ts). An append outside an action's own
 * transaction (a read: chart-fetched, file-fetched, a sign-in) is one INSERT here, with no
 * lock, so concurrent readers of one person never wait on each other; whoever next holds the
 * person's head row (a locked append, a trail read, the periodic folder) moves the person's
 * rows into the chain in id order, deleting them here in the same transaction: an event is
 * here or in the chain, never both, never neither. The fields are those the chain's hash
 * covers, minus the place in the chain (seq, hashes), which the fold assigns.
 * No foreign key on purpose: a reference check takes a share lock on the person's `users`
 * row for every read, the kind of per-person contention this table exists to avoid; every
 * subject id comes from a session or a stored owner, and the fold's insert into
 * `audit_events` (which has the reference) checks it once per batch.
 */
export const auditInbox = pgTable(
  "audit_inbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    subjectId: uuid("subject_id").notNull(),
    ...auditEventContent(),
  },
  (table) => [index("audit_inbox_subject_idx").on(table.subjectId, table.id)],
);

/**
 * Repeated refusals and failed sign-ins being counted before they join a trail as one
 * event (lib/audit/audit-counts.ts). Mutable on purpose: nothing here is chained yet.
 */
export const auditPendingCounts = pgTable(
  "audit_pending_counts",
  {
    subjectId: uuid("subject_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The actor's id, or "" for attempts nobody signed in made (failed sign-ins). */
    actorKey: text("actor_key").notNull(),
    action: text("action").notNull(),
    outcome: auditOutcome("outcome").notNull(),
    /** The record and grant every counted attempt named; null once two attempts named different ones. */
    recordId: uuid("record_id"),
    grantId: uuid("grant_id"),
    severalTargets: boolean("several_targets").notNull().default(false),
    count: integer("count").notNull(),
    windowStart: at("window_start").notNull(),
    windowEnd: at("window_end").notNull(),
  },
  (table) => [primaryKey({ columns: [table.subjectId, table.actorKey, table.action] })],
);

/**
 * An import under way (lib/records/import-store.ts): records staged in it are in none of the
 * tables above, so no read of the chart, a share or key upkeep can see them, until the commit
 * copies them all into `records` in one transaction. A committed import keeps its row (with
 * how many records it created) so that a re-sent commit gets the same answer; the sweep
 * removes imports idle longer than IMPORT_GRACE_MINUTES, staged records and files with them.
 */
export const imports = pgTable(
  "imports",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    /** The last sign of life: start, a batch of records added, the commit. */
    touchedAt: stampedNow("touched_at"),
    committedAt: at("committed_at"),
    /** How many records the commit created (null until committed). */
    committedCount: integer("committed_count"),
  },
  (table) => [index("imports_owner_idx").on(table.ownerId), index("imports_touched_idx").on(table.touchedAt)],
);

/** A record staged in an import: what `records`, its first version and its owner wrap will hold once committed. */
export const importRecords = pgTable(
  "import_records",
  {
    /** The record's id once committed; unique, so one record is never staged twice. */
    recordId: uuid("record_id").primaryKey(),
    importId: uuid("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "cascade" }),
    ownerWrap: bytea("owner_wrap").notNull(),
    contentCiphertext: bytea("content_ciphertext").notNull(),
    /** Counted toward the owner's storage quota while staged (lib/records/storage-quota.ts). */
    paddedSize: bigint("padded_size", { mode: "number" }).notNull(),
    commitment: bytea("commitment").notNull(),
    signature: bytea("signature").notNull(),
    /** The encrypted file body the record carries; the blob sweeper leaves a staged record's file alone. */
    blobId: uuid("blob_id").references(() => blobs.id),
    createdAt: createdAt(),
  },
  (table) => [index("import_records_import_idx").on(table.importId), index("import_records_blob_idx").on(table.blobId)],
);

/** A staged record's key wrapped under an "all records" grant's share key, stored with it at the commit. */
export const importGrantWraps = pgTable(
  "import_grant_wraps",
  {
    recordId: uuid("record_id")
      .notNull()
      .references(() => importRecords.recordId, { onDelete: "cascade" }),
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id, { onDelete: "cascade" }),
    wrappedKey: bytea("wrapped_key").notNull(),
  },
  (table) => [primaryKey({ columns: [table.recordId, table.grantId] })],
);

/** Large ciphertext goes through the blob store (lib/blobs): one row per file here, one per chunk in blob_chunks. */
export const blobs = pgTable(
  "blobs",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: blobStatus("status").notNull().default("uploading"),
    chunkSize: integer("chunk_size").notNull(),
    chunkCount: integer("chunk_count"),
    paddedSize: bigint("padded_size", { mode: "number" }),
    createdAt: createdAt(),
    completedAt: at("completed_at"),
    /**
     * The last sign of life: creation, a stored chunk, completion. The sweeper deletes an
     * upload never finished, or a file no record holds, only once it has been idle this long.
     */
    touchedAt: stampedNow("touched_at"),
  },
  (table) => [index("blobs_touched_idx").on(table.touchedAt)],
);

export const blobChunks = pgTable(
  "blob_chunks",
  {
    blobId: uuid("blob_id")
      .notNull()
      .references(() => blobs.id, { onDelete: "cascade" }),
    index: integer("chunk_index").notNull(),
    /** Bytes of the chunk, wherever they live. */
    size: integer("size").notNull(),
    /** SHA-256 of the chunk's bytes: a re-sent chunk is the same one when its digest is (lib/blobs/chunked-blob-store.ts). */
    digest: bytea("digest").notNull(),
    /**
     * The bytes themselves under the database store, and chunks stored before the file and
     * S3 stores existed (read from here, and moved out by the sweeper); null when a file or
     * an object holds them.
     */
    data: bytea("data"),
  },
  (table) => [primaryKey({ columns: [table.blobId, table.index] }), check("blob_chunks_index_check", sql`${table.index} >= 0`)],
);

/** Fixed-window counters shared by every server instance. */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  key: text("key").primaryKey(),
  windowStart: at("window_start").notNull(),
  count: integer("count").notNull(),
});

export const shlLinkFlag = pgEnum("shl_link_flag", ["U", "P", "L", "LP"]);
export const shlAccessOutcome = pgEnum("shl_access_outcome", ["opened", "wrong-passcode"]);

/**
 * A SMART Health Link (lib/links): the patient's browser encrypted a FHIR Bundle as a JWE
 * under a key that lives only in the link's fragment; the server keeps the JWE (opaque bytes)
 * and what it needs to serve it blind: the unguessable path segment, the flag, the expiry,
 * the passcode's slow hash and its lifetime count of wrong passcodes. The label and what was
 * chosen are sealed under the patient's vault key by the browser.
 */
export const shlLinks = pgTable(
  "shl_links",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The link URL's last path segment: 32 random bytes, base64url (43 characters). */
    shlId: text("shl_id").notNull(),
    flag: shlLinkFlag("flag").notNull(),
    /** Argon2id PHC string (crypto/shl-passcode.ts) for flags P and LP; null for U and L. */
    passcodeHash: text("passcode_hash"),
    /** Wrong passcodes left (flag P: starts at 10; LP: at 10,000, out of reach, see guessWindowStart; never below 0); null for U and L. */
    remainingAttempts: integer("remaining_attempts"),
    /**
     * A long-term passcode link (LP) takes at most `shlLimits.longTermGuesses.perWindow` passcode
     * tries per window (lib/links/link-store.ts `claimPasscodeTry`): when the current window
     * began and how many tries it has counted (null and 0 before the first try).
     */
    guessWindowStart: at("guess_window_start"),
    guessesInWindow: integer("guesses_in_window").notNull().default(0),
    expiresAt: at("expires_at").notNull(),
    createdAt: createdAt(),
    revokedAt: at("revoked_at"),
    /** Set when the last allowed wrong passcode was used: the link then answers 404 for good. */
    disabledAt: at("disabled_at"),
    opens: integer("opens").notNull().default(0),
    /** The JWE's `cty` (application/fhir+json or application/smart-health-card), read from its protected header. */
    contentType: text("content_type").notNull(),
    /**
     * The compact JWE, stored like any other ciphertext in the blob store (lib/links/jwe-blobs.ts);
     * null once its blob is deleted: at once when the link is revoked or disabled, by the sweeper when it expires.
     */
    blobId: uuid("blob_id").references(() => blobs.id, { onDelete: "set null" }),
    jweSize: integer("jwe_size").notNull(),
    /** The label and the choices, sealed under the owner's vault key by the browser; opaque here. */
    sealedLabel: bytea("sealed_label").notNull(),
  },
  (table) => [
    uniqueIndex("shl_links_shl_id_idx").on(table.shlId),
    index("shl_links_owner_idx").on(table.ownerId, table.createdAt),
    index("shl_links_expires_idx").on(table.expiresAt),
    // Deleting any blob looks here (the foreign key), and so does the blob sweep.
    index("shl_links_blob_idx").on(table.blobId),
    check("shl_links_remaining_check", sql`${table.remainingAttempts} is null or ${table.remainingAttempts} >= 0`),
  ],
);

/** Each open of a link and each wrong passcode, with the recipient string the opener sent (GET /api/links/{id}/accesses). */
export const shlAccesses = pgTable(
  "shl_accesses",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    linkId: uuid("link_id")
      .notNull()
      .references(() => shlLinks.id, { onDelete: "cascade" }),
    at: stampedNow("at"),
    recipient: text("recipient").notNull(),
    outcome: shlAccessOutcome("outcome").notNull(),
  },
  (table) => [index("shl_accesses_link_idx").on(table.linkId, table.at)],
);

/** A manifest's `location` URL: the SHA-256 of its 32-byte random token, valid until `expires_at` (at most an hour). */
export const shlFileTokens = pgTable(
  "shl_file_tokens",
  {
    tokenHash: bytea("token_hash").primaryKey(),
    linkId: uuid("link_id")
      .notNull()
      .references(() => shlLinks.id, { onDelete: "cascade" }),
    expiresAt: at("expires_at").notNull(),
  },
  (table) => [index("shl_file_tokens_expires_idx").on(table.expiresAt)],
);

/**
 * The deployment's administration trail (lib/admin/admin-trail.ts): every administrative
 * action (an account disabled or enabled, and later ones), append-only and hash-chained
 * with the patient trail's own format (crypto/audit-chain.ts): one chain for the whole
 * deployment, `subject_id` the account the action was about, `actor_id` the administrator.
 * No foreign keys on purpose: the trail must outlive the accounts it names (a deleted
 * account's id stays in it, as the README states).
 */
export const adminTrail = pgTable("admin_trail", {
  seq: integer("seq").primaryKey(),
  actorId: uuid("actor_id").notNull(),
  action: text("action").notNull(),
  subjectId: uuid("subject_id").notNull(),
  outcome: auditOutcome("outcome").notNull(),
  occurredAt: stampedNow("occurred_at"),
  prevHash: bytea("prev_hash").notNull(),
  hash: bytea("hash").notNull(),
});

/** The administration trail's last link: one row, locked to order concurrent appends. */
export const adminTrailHead = pgTable("admin_trail_head", {
  id: text("id").primaryKey(),
  seq: integer("seq").notNull(),
  hash: bytea("hash").notNull(),
});

/**
 * Security events counted per kind and hour for the administration console (lib/audit/security-tallies.ts):
 * counts only, never who or from where.
 */
export const securityTallies = pgTable(
  "security_tallies",
  {
    kind: text("kind").notNull(),
    hour: at("hour").notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ columns: [table.kind, table.hour] })],
);

/**
 * The audit trail of a deleted account, in the one form the README ("Leaving: what is kept")
 * states: every event of the person's own trail, in order, under a random trail id made at
 * the deletion and used nowhere else (the account's id is not kept: where the person acted
 * themselves, the actor is this trail id too), with who else acted (another account's id,
 * or a link opener's declared name), what was done, to which (now deleted) record, grant or
 * link id, how it went and when. No ciphertext, no key, no hash (the chain's hashes cover
 * the account's id). Removed by the upkeep once `keep_until` passes (six years: HIPAA's
 * retention of documentation, 45 CFR 164.316(b)(2)(i)).
 */
export const departedAuditEvents = pgTable(
  "departed_audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    trailId: uuid("trail_id").notNull(),
    seq: integer("seq").notNull(),
    ...auditEventContent(),
    departedAt: at("departed_at").notNull(),
    keepUntil: at("keep_until").notNull(),
  },
  (table) => [uniqueIndex("departed_audit_events_trail_idx").on(table.trailId, table.seq), index("departed_audit_events_keep_idx").on(table.keepUntil)],
);

/**
 * Notices (lib/notices): "something happened that you may want to know", per recipient, made
 * from audit events as they are appended (contract/notices.ts says which). Only what the
 * server already knows: the kind, who acted, which grant, link or record (ids), how many
 * times and when; never a name or anything a record holds. Events of one kind by one actor
 * on one thing within one fold window (`window_start`, lib/notices/notice-store.ts) fold
 * into one row with a count: a burst of 50 opens is one notice.
 */
export const notices = pgTable(
  "notices",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    recipientId: uuid("recipient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** No foreign keys below: a notice outlives the clinician's account, the link or the record it names. */
    actorId: uuid("actor_id"),
    grantId: uuid("grant_id"),
    linkId: uuid("link_id"),
    recordId: uuid("record_id"),
    /** The kind and ids above joined: what events must share to fold into this row. */
    foldKey: text("fold_key").notNull(),
    windowStart: at("window_start").notNull(),
    count: integer("count").notNull(),
    firstAt: at("first_at").notNull(),
    lastAt: at("last_at").notNull(),
    readAt: at("read_at"),
  },
  (table) => [
    uniqueIndex("notices_fold_idx").on(table.recipientId, table.foldKey, table.windowStart),
    index("notices_recipient_idx").on(table.recipientId, table.lastAt),
  ],
);

/**
 * A person's choices about notices, non-secret: the email address notices go to (given by the
 * person for this purpose only; not health data) and the kinds they want emailed.
 */
export const noticePreferences = pgTable("notice_preferences", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  email: text("email"),
  emailKinds: text("email_kinds")
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  updatedAt: stampedNow("updated_at"),
});

/**
 * The email outbox (lib/notices/notice-email.ts): per recipient and kind, how many notices
 * wait to be told by email, and when the next email may go (at most one per kind and
 * recipient per NOTICE_EMAIL_INTERVAL_MINUTES; the rest fold in). A sender claims a row by
 * setting `claimed_until` on rows taken with FOR UPDATE SKIP LOCKED, so several app servers
 * never send the same email; a failed send is retried later with a growing delay.
 */
export const noticeEmails = pgTable(
  "notice_emails",
  {
    recipientId: uuid("recipient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    pending: integer("pending").notNull().default(0),
    dueAt: at("due_at"),
    lastSentAt: at("last_sent_at"),
    attempts: integer("attempts").notNull().default(0),
    claimedUntil: at("claimed_until"),
  },
  (table) => [primaryKey({ columns: [table.recipientId, table.kind] }), index("notice_emails_due_idx").on(table.dueAt)],
);

/**
 * Organizations (a clinic, a hospital) and their care teams (lib/teams). Public to the server by
 * design (DESIGN.md: the sharing graph): names, who administers, who is a member. A team's key
 * pair is made in a browser; the server keeps its certified public key per version and the
 * private key sealed to each member and organization administrator, and can open none of it.
 */
export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey(),
  name: text("name").notNull(),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/** Accounts an organization names its administrators (named by a deployment administrator). */
export const organizationAdmins = pgTable(
  "organization_admins",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.organizationId, table.userId] }), index("organization_admins_user_idx").on(table.userId)],
);

/**
 * Deployment administrators' signed statements that an account administers an organization
 * (crypto/organization-admin-statement.ts): the first link of a care team's chain of trust,
 * checked by patients' browsers against the administrator keys they pinned. Kept as signed, with
 * no reference to either account: the team key versions an organization administrator made
 * (care_team_keys.chain_statement_id) must still verify after either account is deleted.
 */
export const organizationAdminStatements = pgTable(
  "organization_admin_statements",
  {
    /** The statement id the deployment administrator signed. */
    id: uuid("id").primaryKey(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    organizationName: text("organization_name").notNull(),
    adminId: uuid("admin_id").notNull(),
    adminIdentityPublicKey: bytea("admin_identity_public_key").notNull(),
    signerId: uuid("signer_id").notNull(),
    signerName: text("signer_name").notNull(),
    /** Milliseconds since the epoch, exactly as signed. */
    issuedAt: bigint("issued_at", { mode: "number" }).notNull(),
    signature: bytea("signature").notNull(),
    createdAt: createdAt(),
  },
  (table) => [index("organization_admin_statements_admin_idx").on(table.organizationId, table.adminId)],
);

export const careTeams = pgTable(
  "care_teams",
  {
    id: uuid("id").primaryKey(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The current key version (care_team_keys); new grants seal to it. */
    keyVersion: integer("key_version").notNull(),
    /** Set when a member is removed: the next remaining member's or administrator's browser makes a new key version. */
    needsNewKey: boolean("needs_new_key").notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [index("care_teams_organization_idx").on(table.organizationId)],
);

/** Each version of a team's key: the X25519 public key and its maker's signature (crypto/team-key.ts), with what checks it. */
export const careTeamKeys = pgTable(
  "care_team_keys",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => careTeams.id, { onDelete: "cascade" }),
    keyVersion: integer("key_version").notNull(),
    publicKey: bytea("public_key").notNull(),
    /** Who signed it: no reference to users, so the version outlives the maker's account (it is part of what was signed). */
    makerId: uuid("maker_id").notNull(),
    /** The certificate's createdAt, milliseconds since the epoch, exactly as signed. */
    signedAt: bigint("signed_at", { mode: "number" }).notNull(),
    signature: bytea("signature").notNull(),
    /**
     * The maker's identity public key when the version was stored, kept so the certificate can be
     * checked after the maker's account (and its key certificates) is deleted. Null only for a
     * version whose maker had no key left when migration 0028 ran.
     */
    makerIdentityPublicKey: bytea("maker_identity_public_key"),
    /**
     * The deployment administrator's statement naming the maker an administrator of the team's
     * organization (the chain patients' browsers verify); null for a version made by a member,
     * or before organizations had statements: patients then see the team as unverified.
     */
    chainStatementId: uuid("chain_statement_id").references(() => organizationAdminStatements.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.keyVersion] })],
);

export const careTeamMembers = pgTable(
  "care_team_members",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => careTeams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    addedAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.userId] }), index("care_team_members_user_idx").on(table.userId)],
);

/** A team key version's private key sealed to one member or organization administrator; deleted when they leave. */
export const careTeamKeySeals = pgTable(
  "care_team_key_seals",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => careTeams.id, { onDelete: "cascade" }),
    keyVersion: integer("key_version").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sealedKey: bytea("sealed_key").notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.keyVersion, table.userId] }), index("care_team_key_seals_user_idx").on(table.userId)],
);

/**
 * Emergency access (issue 18, item 1): a grant (grants.id) the patient made to a trusted person
 * with a gate. The grant serves nothing through the ordinary shared routes (servingGrant
 * excludes it); the emergency routes serve it only once a request was made and either the
 * patient approved it or `opens_at` passed on the server's clock without a refusal, checked at
 * read time (lib/emergency/emergency-store.ts), so it opens with the patient signed out.
 */
export const emergencyContacts = pgTable(
  "emergency_contacts",
  {
    grantId: uuid("grant_id")
      .primaryKey()
      .references(() => grants.id, { onDelete: "cascade" }),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The wait the patient chose, in seconds (0, 24 h, 48 h or 7 days), as signed in the statement. */
    waitSeconds: integer("wait_seconds").notNull(),
    /** The patient's choice (kinds and named records), sealed under their vault key by their browser; opaque here. */
    sealedChoice: bytea("sealed_choice").notNull(),
    /** The open request: when it was made and when its wait ends (the wait scaled by EMERGENCY_WAIT_SCALE); null when none. */
    requestedAt: at("requested_at"),
    opensAt: at("opens_at"),
    approvedAt: at("approved_at"),
    /** The patient refused the last request; a new request clears it. */
    refusedAt: at("refused_at"),
  },
  (table) => [index("emergency_contacts_patient_idx").on(table.patientId), index("emergency_contacts_contact_idx").on(table.contactId)],
);
