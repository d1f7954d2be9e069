import { isRevealableBirthDate, toBase64 } from "@/crypto";
import { buildExportBundle } from "../fhir/export-bundle";
import { checkedBundle } from "../fhir/bundle-invariants";
import { kindOf } from "../fhir/kinds";
import { isObject, type Bundle, type ContextEntry, type FhirResource, type RecordKind } from "../fhir/types";
import { ipsSections } from "../summary/patient-summary";

/** One decrypted record of the chart that a link may carry. */
export interface LinkRecord {
  id: string;
  resource: FhirResource;
  /** Its fullUrl in the bundle it was imported from (kept, as an export keeps it). */
  fullUrl?: string;
  context?: ContextEntry[];
  /** A file record's decrypted contents, standard base64 (FHIR base64Binary), put in its attachment's `data`. */
  fileData?: string;
}

/** What the patient chose to send: listed records, every record of some kinds, or "my summary" (the IPS sections' records and the PDF). */
export type LinkSelection = { by: "records"; recordIds: readonly string[] } | { by: "kinds"; kinds: readonly RecordKind[] } | { by: "summary" };

/** What the patient reveals about themselves in the Bundle's Patient resource, and nothing else. */
export interface RevealedPatient {
  /** The name the recipient sees (1–200 characters after trimming). */
  name: string;
  /** A FHIR date ("1957", "1957-07", "1957-07-06"); absent or empty: not revealed. */
  birthDate?: string;
}

/** LOINC 60591-5, the code the IPS and the CMS "Kill the Clipboard" profile give a patient summary document. */
export const patientSummaryCoding = { system: "http://loinc.org", code: "60591-5", display: "Patient summary Document" } as const;

/** The kinds "my summary" gathers: the International Patient Summary's sections (client/summary). */
export const summaryKinds: readonly RecordKind[] = ipsSections.flatMap((section) => section.kinds);

export class LinkBundleError extends Error {
  override readonly name = "LinkBundleError";
}

/**
 * The records a selection takes from the chart, in the chart's order: those listed (an id
 * the chart does not hold is ignored), those of the chosen kinds, or those of the summary's
 * kinds. Does not throw.
 */
export function chosenRecords(records: readonly LinkRecord[], selection: LinkSelection): LinkRecord[] {
  if (selection.by === "records") {
    const wanted = new Set(selection.recordIds);
    return records.filter((record) => wanted.has(record.id));
  }
  const kinds = new Set(selection.by === "kinds" ? selection.kinds : summaryKinds);
  return records.filter((record) => {
    const kind = kindOf(record.resource);
    return kind !== null && kinds.has(kind);
  });
}

const patientReference = /(^|\/)Patient\/[^/]+/;

/**
 * Whether a record's `subject` or `patient` names the chart's owner: a reference to a
 * Patient, a display only ("Patient", as the forms write it), or a `urn:` reference none of
 * the record's context resources answers (the Patient of the bundle it was imported from,
 * which the import left out). A reference to anything else (a Group, a Location) is kept.
 */
function namesTheOwner(value: unknown, context: readonly ContextEntry[]): boolean {
  if (!isObject(value)) return false;
  if (value.type === "Patient") return true;
  const reference = value.reference;
  if (typeof reference !== "string") return true;
  if (patientReference.test(reference)) return true;
  return /^urn:/i.test(reference) && !context.some((entry) => entry.fullUrl === reference);
}

/** The resource with its owner references pointing at the Bundle's Patient (and nothing else of the original reference, such as a name in `display`). */
function aboutRevealedPatient(record: LinkRecord, patientUrl: string): FhirResource {
  const resource: FhirResource = { ...record.resource };
  const context = record.context ?? [];
  if (namesTheOwner(resource.subject, context)) resource.subject = { reference: patientUrl };
  // Only resources whose `patient` is a Reference (AllergyIntolerance, Immunization...): Goal or CarePlan have none.
  if (namesTheOwner(resource.patient, context)) resource.patient = { reference: patientUrl };
  if (record.fileData === undefined) return resource;
  const content = Array.isArray(resource.content) ? (resource.content as unknown[]) : [];
  const [first, ...rest] = content;
  const entry = isObject(first) ? first : {};
  const attachment = isObject(entry.attachment) ? entry.attachment : {};
  resource.content = [{ ...entry, attachment: { ...attachment, data: record.fileData } }, ...rest];
  return resource;
}

/**
 * Checks what the patient chose to reveal before anything is decrypted or made.
 * @throws LinkBundleError for a name that is empty or over 200 characters, or a birth date that is not a FHIR date
 */
export function checkRevealedPatient(revealed: RevealedPatient): void {
  patientResource(revealed);
}

function patientResource(revealed: RevealedPatient): fhir4.Patient {
  const name = revealed.name.trim();
  if (name.length === 0 || name.length > 200) throw new LinkBundleError("The name on the link must be 1 to 200 characters.");
  const birthDate = revealed.birthDate?.trim();
  if (birthDate && !isRevealableBirthDate(birthDate)) throw new LinkBundleError("The date of birth must be a year, a year and month, or a full date.");
  // A new id per link, so two links cannot be told to be the same person by their Patient.
  return { resourceType: "Patient", id: crypto.randomUUID(), name: [{ text: name }], ...(birthDate ? { birthDate } : {}) };
}

function summaryDocument(pdf: Uint8Array, patientUrl: string, now: Date): fhir4.DocumentReference {
  return {
    resourceType: "DocumentReference",
    id: crypto.randomUUID(),
    status: "current",
    type: { coding: [{ ...patientSummaryCoding }], text: "Patient summary" },
    subject: { reference: patientUrl },
    date: now.toISOString(),
    description: "Made by the patient in Health Safe Cloud from their records; not a verified clinical document.",
    content: [{ attachment: { contentType: "application/pdf", data: toBase64(pdf), title: "Patient summary", creation: now.toISOString() } }],
  };
}

/**
 * The FHIR R4 `collection` Bundle a SMART Health Link carries (application/fhir+json): first a
 * Patient resource holding only what the patient reveals (`name.text`, and `birthDate` when
 * given), then each chosen record (chosenRecords) with its context resources, as an export
 * writes them (buildExportBundle: fullUrls kept, context deduplicated), each record's
 * `subject`/`patient` pointing at that Patient; then, when `summaryPdf` is given, the
 * printable summary (buildSummaryPdf) as a DocumentReference typed LOINC 60591-5 with the PDF
 * inline (`content[0].attachment`, application/pdf, base64 `data`). A file record carries its
 * contents when `fileData` holds them. Needs cryptoReady() (base64 is crypto/'s).
 * @throws LinkBundleError for a name that is empty or over 200 characters, a birth date that
 *   is not a FHIR date, or a selection that chooses no record (with or without a PDF)
 */
export function buildLinkBundle(input: {
  records: readonly LinkRecord[];
  selection: LinkSelection;
  patient: RevealedPatient;
  summaryPdf?: Uint8Array;
  now: Date;
}): Bundle {
  const patient = patientResource(input.patient);
  const patientUrl = `urn:uuid:${patient.id}`;
  const chosen = chosenRecords(input.records, input.selection);
  // A summary PDF is made of the chosen records: without any, it would show the recipient nothing.
  if (chosen.length === 0) throw new LinkBundleError("Choose at least one record: the link would hold nothing.");
  const records = buildExportBundle(
    chosen.map((record) => ({ resource: aboutRevealedPatient(record, patientUrl), fullUrl: record.fullUrl, context: record.context })),
    input.now,
  );
  const pdf = input.summaryPdf ? summaryDocument(input.summaryPdf, patientUrl, input.now) : null;
  return checkedBundle({
    resourceType: "Bundle",
    type: "collection",
    timestamp: input.now.toISOString(),
    entry: [{ fullUrl: patientUrl, resource: patient }, ...(records.entry ?? []), ...(pdf ? [{ fullUrl: `urn:uuid:${pdf.id}`, resource: pdf }] : [])],
  });
}
