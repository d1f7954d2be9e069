import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { idParams, uuid } from "./common";
import { defineRoute, pendingJson } from "./route";

/** Grants a patient makes, changes and revokes; key wraps for "all records" grants. */
export const grantsRoutes = {
  list: defineRoute({ method: "GET", path: "/api/grants", access: "session", response: pendingJson() }),
  create: defineRoute({ method: "POST", path: "/api/grants", access: "session", bodyLimit: bodyLimits.grant, body: pendingJson(), response: pendingJson() }),
  change: defineRoute({ method: "POST", path: "/api/grants/[id]/change", access: "session", params: idParams, bodyLimit: bodyLimits.grant, body: pendingJson(), response: pendingJson() }),
  revoke: defineRoute({ method: "POST", path: "/api/grants/[id]/revoke", access: "session", params: idParams, body: pendingJson(), response: pendingJson() }),
  revokeRecord: defineRoute({
    method: "POST",
    path: "/api/grants/[id]/records/[recordId]/revoke",
    access: "session",
    params: z.object({ id: uuid, recordId: uuid }),
    body: pendingJson(),
    response: pendingJson(),
  }),
  addWraps: defineRoute({ method: "POST", path: "/api/grants/wraps", access: "session", bodyLimit: bodyLimits.grantWraps, body: pendingJson(), response: pendingJson() }),
};

/** What clinicians see: grants made to them and the records under each, and their contributions. */
export const sharedRoutes = {
  list: defineRoute({ method: "GET", path: "/api/shared", access: "session", response: pendingJson() }),
  records: defineRoute({ method: "GET", path: "/api/shared/[grantId]/records", access: "session", params: z.object({ grantId: uuid }), response: pendingJson() }),
  contribute: defineRoute({
    method: "POST",
    path: "/api/shared/[grantId]/records",
    access: "session",
    params: z.object({ grantId: uuid }),
    bodyLimit: bodyLimits.oneRecord,
    body: pendingJson(),
    response: pendingJson(),
  }),
};

/** Finding clinicians and reading anyone's published keys. */
export const directoryRoutes = {
  search: defineRoute({ method: "GET", path: "/api/directory", access: "session", query: z.object({ q: z.string() }).loose(), response: pendingJson() }),
  userKeys: defineRoute({ method: "GET", path: "/api/users/[id]/keys", access: "session", params: idParams, response: pendingJson() }),
};

/** Key upkeep after a revoke: the records whose keys the patient's browser must rotate. */
export const keyMaintenanceRoutes = {
  pending: defineRoute({ method: "GET", path: "/api/me/key-maintenance", access: "session", response: pendingJson() }),
};
