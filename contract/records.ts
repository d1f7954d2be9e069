import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { idParams, uuid } from "./common";
import { defineRoute, pendingJson } from "./route";

/** The patient's chart: records, their versions, key rotation of one record. */
export const recordsRoutes = {
  list: defineRoute({ method: "GET", path: "/api/records", access: "session", response: pendingJson() }),
  create: defineRoute({ method: "POST", path: "/api/records", access: "session", bodyLimit: bodyLimits.recordsBatch, status: 201, body: pendingJson(), response: pendingJson() }),
  remove: defineRoute({ method: "DELETE", path: "/api/records/[id]", access: "session", params: idParams, response: "empty" }),
  versions: defineRoute({ method: "GET", path: "/api/records/[id]/versions", access: "session", params: idParams, response: pendingJson() }),
  addVersion: defineRoute({ method: "POST", path: "/api/records/[id]/versions", access: "session", params: idParams, bodyLimit: bodyLimits.oneRecord, body: pendingJson(), response: pendingJson() }),
  rotate: defineRoute({ method: "POST", path: "/api/records/[id]/rotate", access: "session", params: idParams, bodyLimit: bodyLimits.oneRecord, body: pendingJson(), response: pendingJson() }),
};

/** Encrypted files: upload in chunks, finish, download. */
export const blobsRoutes = {
  start: defineRoute({ method: "POST", path: "/api/blobs", access: "session", body: pendingJson(), response: pendingJson() }),
  describe: defineRoute({ method: "GET", path: "/api/blobs/[id]", access: "session", params: idParams, response: pendingJson() }),
  complete: defineRoute({ method: "POST", path: "/api/blobs/[id]/complete", access: "session", params: idParams, body: pendingJson(), response: pendingJson() }),
  putChunk: defineRoute({
    method: "PUT",
    path: "/api/blobs/[id]/chunks/[index]",
    access: "session",
    params: z.object({ id: uuid, index: z.coerce.number().int().min(0).max(1_000_000) }),
    bodyLimit: bodyLimits.fileChunk,
    body: "binary",
    response: "empty",
  }),
  getChunk: defineRoute({
    method: "GET",
    path: "/api/blobs/[id]/chunks/[index]",
    access: "session",
    params: z.object({ id: uuid, index: z.coerce.number().int().min(0).max(1_000_000) }),
    response: "binary",
  }),
};
