export { buildExportBundle } from "./export-bundle";
export { buildAuditBundle, type GrantEntry, type TrailEntry } from "./audit-export";
export { ImportError, planEntries, planImport, type ImportPlan, type PlannedRecord, type SkippedEntry } from "./import-bundle";
export { readImportFile, sourceOf, type ImportSource, type SourceEntry } from "./import-source";
export { canonicalJson, contentDigest, identityKeys } from "./resource-identity";
export { contextResourceTypes, exchangeResourceTypes, kindLabel, kindOf, recordKinds } from "./kinds";
export { maxNoteTextBytes, noteAttachment, noteAttachmentText, noteResource, noteTextProblem } from "./note";
export { summarize, type RecordSummary, type Statement } from "./summary";
export { asResource, storedResource, type Bundle, type ContextEntry, type FhirResource, type RecordKind } from "./types";
