import "server-only";
import { toBase64url } from "@/crypto";
import type { Statement, Version } from "@/contract/records";
import type { StoredVersion, VersionStatement } from "./record-store";

/** A version's statement on the wire: `{version, authorId, commitment, signature, createdAt}` (bytes as base64url, time ISO 8601). */
export const statementJson = (statement: VersionStatement): Statement => ({
  version: statement.version,
  authorId: statement.authorId,
  commitment: toBase64url(statement.commitment),
  signature: toBase64url(statement.signature),
  createdAt: statement.createdAt.toISOString(),
});

/** A version with its ciphertext on the wire: the statement plus `keyVersion`, `content` and `blobId`. */
export const versionJson = (version: StoredVersion): Version => ({
  ...statementJson(version),
  blobId: version.blobId,
  keyVersion: version.keyVersion,
  content: toBase64url(version.content),
});
