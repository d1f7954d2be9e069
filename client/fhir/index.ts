export { buildExportBundle, type ExportEntry } from "./export-bundle";
export { bundleViolations, checkedBundle, InvalidBundleError, type BundleViolation } from "./bundle-invariants";
export { buildAuditBundle, type GrantEntry, type TrailEntry } from "./audit-export";
export { ImportError, planImport, type ImportPlan } from "./import-bundle";
export { contextResourceTypes, exchangeResourceTypes, kindLabel, kindOf, recordKinds } from "./kinds";
export { maxNoteTextBytes, noteAttachment, noteAttachmentText, noteResource, noteTextProblem } from "./note";
export { summarize, type RecordSummary } from "./summary";
export { asResource, storedResource, type Bundle, type ContextEntry, type FhirResource, type RecordKind } from "./types";
