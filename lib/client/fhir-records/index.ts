export { buildExportBundle } from "./export-bundle";
export { ImportError, planImport, type ImportPlan } from "./import-bundle";
export { kindLabel, kindOf, recordKinds } from "./kinds";
export { summarize, type RecordSummary } from "./summary";
export type { Bundle, FhirResource, RecordKind } from "./types";
