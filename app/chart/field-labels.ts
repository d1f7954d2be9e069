import { formatBytes, formatCalendarDate, formatDateTime } from "@/client/format";
/**
 * Clinical labels for the fields of the FHIR R4 resources the chart stores (Condition,
 * MedicationStatement and its contained Medication, AllergyIntolerance, Immunization,
 * Observation, DocumentReference) and of the data types inside them, in plain English.
 * A field not listed is turned from camelCase into words, so no raw field name is shown.
 */
const labels: Record<string, string> = {
  // Common to every resource and data type.
  status: "Status",
  code: "Code",
  category: "Category",
  note: "Notes",
  text: "Text",
  extension: "Additional details",
  modifierExtension: "Important additional details",
  language: "Language",
  implicitRules: "Rules followed",
  encounter: "Visit",
  subject: "Patient",
  patient: "Patient",
  date: "Date",
  type: "Type",
  description: "Description",
  // Condition
  clinicalStatus: "Clinical status",
  verificationStatus: "Verification status",
  severity: "Severity",
  bodySite: "Body site",
  onset: "Onset",
  abatement: "Resolved",
  recordedDate: "Recorded on",
  recorder: "Recorded by",
  asserter: "Reported by",
  stage: "Stage",
  summary: "Summary",
  assessment: "Assessment",
  evidence: "Evidence",
  detail: "Details",
  // AllergyIntolerance
  criticality: "Criticality",
  lastOccurrence: "Last reaction",
  reaction: "Reaction",
  substance: "Substance",
  manifestation: "Manifestation",
  exposureRoute: "Exposure route",
  // MedicationStatement and Medication
  basedOn: "Based on",
  partOf: "Part of",
  statusReason: "Reason for the status",
  medication: "Medication",
  context: "Context",
  effective: "When",
  dateAsserted: "Recorded on",
  informationSource: "Source of information",
  derivedFrom: "Derived from",
  reasonCode: "Reason",
  reasonReference: "Reason",
  dosage: "Dosage",
  form: "Form",
  amount: "Amount",
  ingredient: "Ingredients",
  item: "Ingredient",
  isActive: "Active ingredient",
  strength: "Strength",
  batch: "Batch",
  // Dosage
  sequence: "Order",
  additionalInstruction: "Additional instructions",
  patientInstruction: "Instructions for the patient",
  timing: "Timing",
  asNeeded: "As needed",
  site: "Site",
  route: "Route",
  method: "Method",
  doseAndRate: "Dose",
  dose: "Dose",
  rate: "Rate",
  maxDosePerPeriod: "Maximum dose per period",
  maxDosePerAdministration: "Maximum dose each time",
  maxDosePerLifetime: "Maximum dose in a lifetime",
  // Timing
  event: "Times",
  repeat: "Repeats",
  bounds: "Over",
  count: "Number of times",
  countMax: "Most times",
  duration: "Duration",
  durationMax: "Longest duration",
  durationUnit: "Duration in",
  frequency: "Times per period",
  frequencyMax: "Most times per period",
  period: "Period",
  periodMax: "Longest period",
  periodUnit: "Period in",
  dayOfWeek: "Days",
  timeOfDay: "Time of day",
  when: "When",
  offset: "Minutes from then",
  // Immunization
  vaccineCode: "Vaccine",
  occurrence: "Date given",
  recorded: "Recorded on",
  primarySource: "Recorded by whoever gave it",
  reportOrigin: "Source of the report",
  location: "Location",
  manufacturer: "Manufacturer",
  lotNumber: "Lot number",
  expirationDate: "Expiry date",
  doseQuantity: "Dose",
  performer: "Performer",
  function: "Role",
  actor: "Who",
  isSubpotent: "Lower dose than intended",
  subpotentReason: "Why the dose was lower",
  education: "Information given",
  documentType: "Document",
  publicationDate: "Published on",
  presentationDate: "Given on",
  programEligibility: "Programme eligibility",
  fundingSource: "Funding source",
  reported: "Reported by the patient",
  protocolApplied: "Vaccination schedule",
  series: "Series",
  authority: "Authority",
  targetDisease: "Protects against",
  doseNumber: "Dose number",
  seriesDoses: "Doses in the series",
  // Observation
  focus: "About",
  issued: "Issued",
  value: "Value",
  dataAbsentReason: "Why there is no value",
  interpretation: "Interpretation",
  specimen: "Specimen",
  device: "Device",
  referenceRange: "Reference range",
  low: "Low",
  high: "High",
  appliesTo: "Applies to",
  age: "Age",
  hasMember: "Related results",
  component: "Parts",
  // DocumentReference and Attachment
  masterIdentifier: "Document identifier",
  docStatus: "Document status",
  author: "Author",
  authenticator: "Authenticated by",
  custodian: "Kept by",
  relatesTo: "Related documents",
  target: "Target",
  securityLabel: "Security label",
  content: "Content",
  attachment: "Attachment",
  format: "Format",
  contentType: "File type",
  data: "Data",
  url: "Address",
  size: "Size",
  hash: "Checksum",
  title: "Title",
  creation: "Created on",
  facilityType: "Type of facility",
  practiceSetting: "Practice setting",
  sourcePatientInfo: "Patient information",
  related: "Related",
  // Data types
  start: "Start",
  end: "End",
  numerator: "Numerator",
  denominator: "Denominator",
  unit: "Unit",
  system: "Code system",
  display: "Name",
  coding: "Codes",
  time: "Time",
  reference: "Reference",
  identifier: "Identifier",
  use: "Use",
  assigner: "Assigned by",
  origin: "Origin",
  factor: "Factor",
  lowerLimit: "Lower limit",
  upperLimit: "Upper limit",
  dimensions: "Dimensions",
  comparator: "Comparator",
  userSelected: "Chosen by the user",
  version: "Version",
  active: "Active",
  // Record wiring: not shown in the readable view, labelled all the same.
  resourceType: "Kind of record",
  id: "Identifier",
  meta: "Record details",
  contained: "Included records",
  resource: "Record",
};

// The data types a FHIR choice element ("value[x]", "onset[x]") may be named with.
const choiceTypes =
  /(Address|Age|Annotation|Attachment|Base64Binary|Boolean|Canonical|Code|CodeableConcept|Coding|ContactPoint|Count|Date|DateTime|Decimal|Distance|Dosage|Duration|Expression|HumanName|Id|Identifier|Instant|Integer|Markdown|Meta|Money|Oid|Period|PositiveInt|Quantity|Range|Ratio|Reference|SampledData|Signature|String|Time|Timing|UnsignedInt|Uri|Url|UsageContext|Uuid)$/;

/** camelCase or kebab-case in words, the first capitalised: "lotNumber" -> "Lot number". */
export function words(key: string): string {
  const spaced = key
    .replace(/\[x\]$/, "")
    .replace(/[-_]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * The label shown for a FHIR field: its clinical label, the label of its choice element
 * ("onsetDateTime" -> "Onset"), extra detail on a primitive ("_display"), or its name in words.
 */
export function fieldLabel(key: string): string {
  if (labels[key]) return labels[key];
  if (key.startsWith("_") && key.length > 1) return `More about ${fieldLabel(key.slice(1)).toLowerCase()}`;
  const choice = choiceTypes.exec(key);
  if (choice && choice.index > 0) {
    const base = key.slice(0, choice.index);
    if (labels[base]) return labels[base];
  }
  return words(key);
}

const timeUnits: Record<string, string> = { s: "seconds", min: "minutes", h: "hours", d: "days", wk: "weeks", mo: "months", a: "years" };

// Fields whose values are FHIR codes meant to be read as words ("entered-in-error").
const codeFields = new Set(["status", "criticality", "type", "category", "docStatus", "use", "mode", "comparator", "when", "dayOfWeek"]);

/** A primitive value as people read it: yes/no, dates in the reader's locale, codes and UCUM time units in words, sizes in bytes. */
export function readableValue(key: string, value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number")
    return key === "size" && value >= 0 ? formatBytes(value) : new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }).format(value);
  if ((key === "periodUnit" || key === "durationUnit") && timeUnits[value]) return timeUnits[value];
  if (codeFields.has(key) && /^[a-z][a-z-]*$/.test(value)) return words(value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return formatDateTime(value);
  // A date without a time is a calendar day (or month) wherever the reader is: shown as written.
  if (/^\d{4}-\d{2}(-\d{2})?$/.test(value)) return formatCalendarDate(value);
  return value;
}

/** Whether a field has a label of its own (or its choice element has), rather than its name in words. */
export function hasClinicalLabel(key: string): boolean {
  if (labels[key]) return true;
  const choice = choiceTypes.exec(key);
  return Boolean(choice && choice.index > 0 && labels[key.slice(0, choice.index)]);
}
