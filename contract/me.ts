import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { defineRoute, pendingJson } from "./route";

const bytes = z.number().int().nonnegative();

/** An account's storage use and limits, in bytes (10^6 per MB); clinicians store nothing and read zeros. */
export const storageUsageSchema = z.object({
  usedBytes: bytes,
  fileBytes: bytes,
  recordBytes: bytes,
  quotaBytes: bytes,
  unfinishedUploads: z.number().int().nonnegative(),
  unfinishedUploadsMax: z.number().int().nonnegative(),
});
export type StorageUsage = z.infer<typeof storageUsageSchema>;

/** The signed-in person's vault material: fetched at unlock, the encrypted bundle replaced, device wraps added. */
export const vaultRoutes = {
  get: defineRoute({ method: "GET", path: "/api/me/vault", access: "session", response: pendingJson() }),
  putBundle: defineRoute({ method: "PUT", path: "/api/me/vault/bundle", access: "session", bodyLimit: bodyLimits.vaultBundle, body: pendingJson(), response: pendingJson() }),
  addDeviceWrap: defineRoute({ method: "POST", path: "/api/me/vault/device-wraps", access: "session", body: pendingJson(), response: pendingJson() }),
};

/** The person's audit trail, in pages, and its export record. */
export const auditRoutes = {
  trail: defineRoute({ method: "GET", path: "/api/me/audit", access: "session", query: z.object({}).loose(), response: pendingJson() }),
  actions: defineRoute({ method: "GET", path: "/api/me/audit/actions", access: "session", response: pendingJson() }),
  recordExport: defineRoute({ method: "POST", path: "/api/me/audit/exports", access: "session", body: pendingJson(), response: pendingJson() }),
};

/** Security settings: passkeys, the recovery key, sessions, storage used. */
export const securityRoutes = {
  passkeys: defineRoute({ method: "GET", path: "/api/me/passkeys", access: "session", response: pendingJson() }),
  addPasskeyOptions: defineRoute({ method: "POST", path: "/api/me/passkeys/options", access: "session", body: pendingJson(), response: pendingJson() }),
  addPasskey: defineRoute({ method: "POST", path: "/api/me/passkeys", access: "session", body: pendingJson(), response: pendingJson() }),
  renamePasskey: defineRoute({ method: "PATCH", path: "/api/me/passkeys/[id]", access: "session", params: z.object({ id: z.string().min(1).max(1024) }), body: pendingJson(), response: pendingJson() }),
  removePasskey: defineRoute({ method: "DELETE", path: "/api/me/passkeys/[id]", access: "session", params: z.object({ id: z.string().min(1).max(1024) }), response: pendingJson() }),
  recoveryKey: defineRoute({ method: "GET", path: "/api/me/recovery-key", access: "session", response: pendingJson() }),
  replaceRecoveryKey: defineRoute({ method: "PUT", path: "/api/me/recovery-key", access: "session", body: pendingJson(), response: pendingJson() }),
  sessions: defineRoute({ method: "GET", path: "/api/me/sessions", access: "session", response: pendingJson() }),
  endOtherSessions: defineRoute({ method: "POST", path: "/api/me/sessions/end-others", access: "session", body: pendingJson(), response: pendingJson() }),
  storage: defineRoute({ method: "GET", path: "/api/me/storage", access: "session", response: storageUsageSchema }),
};
