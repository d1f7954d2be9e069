import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { idParams, uuid } from "./common";
import { createRecordsRequestSchema, maxRecordsPerRequest } from "./records";
import { defineRoute } from "./route";

/**
 * Staged imports: a large import goes in as many requests as its size needs, and its records
 * join the chart all at once when it is committed, or not at all (abandoned, or swept once
 * left idle). Until then they are in no read of the chart or of a share, but count toward
 * the storage quota.
 */

/** Imports one account may have open (started, neither committed nor abandoned) at a time. */
export const maxOpenImports = 5;

/** A started import's id. */
export const importIdSchema = z.object({ importId: uuid });
export type ImportId = z.infer<typeof importIdSchema>;

/**
 * Records to stage: the same payloads as POST /api/records (contract/records.ts newRecordSchema),
 * at most `maxRecordsPerRequest` and `bodyLimits.recordsBatch` bytes per request.
 */
export const stageRecordsRequestSchema = createRecordsRequestSchema;

/** How many of the records sent were newly staged (a record already staged identically counts as done). */
export const stageRecordsResponseSchema = z.object({ staged: z.number().int().min(0).max(maxRecordsPerRequest) });

/** How many records the commit put in the chart (the same answer to a re-sent commit). */
export const commitImportResponseSchema = z.object({ created: z.number().int().min(0) });

/** The staged import: start, add records, commit or abandon. Every route answers 404 for another account's import. */
export const importsRoutes = {
  start: defineRoute({ method: "POST", path: "/api/imports", access: "session", status: 201, response: importIdSchema }),
  addRecords: defineRoute({
    method: "POST",
    path: "/api/imports/[id]/records",
    access: "session",
    params: idParams,
    bodyLimit: bodyLimits.recordsBatch,
    body: stageRecordsRequestSchema,
    response: stageRecordsResponseSchema,
  }),
  /** All staged records become chart records in one transaction; 409 `conflict` if sharing changed since they were wrapped. */
  commit: defineRoute({ method: "POST", path: "/api/imports/[id]/commit", access: "session", params: idParams, response: commitImportResponseSchema }),
  /** Removes the import, its staged records and their files; 409 once committed. */
  abandon: defineRoute({ method: "DELETE", path: "/api/imports/[id]", access: "session", params: idParams, response: "empty" }),
};
