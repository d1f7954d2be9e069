import { isCryptoError } from "@/crypto";
import { choiceTime, dateSortKey, formatFhirDate, formatPeriod, type ChoiceTime, type DateOptions } from "./fhir-dates";
import { dosageText } from "./dosage";
import { kindOf } from "./kinds";
import { codingDisplays, conceptCodes, conceptText, humanName, referenceName, resolveReference, resourceTypeWords } from "./names";
import { noteAttachmentText } from "./note";
import { searchWords } from "./search-text";
import { statementOf, statementTitle, type Statement } from "./statements";
import { bloodPressureValue, formatComponents, formatElementValue, formatInterpretation, formatReferenceRange } from "./values";
import { isObject, type ContextEntry, type FhirResource, type RecordKind } from "./types";

export type { Statement } from "./statements";

/** What the chart shows of a record in its list row, and what its search looks through. */
export interface RecordSummary {
  kind: RecordKind;
  /** The record named as a clinician would: "Creatinine …: ≥90 mL/min/{1.73_m2}", "No known food allergy". */
  title: string;
  /** The FHIR date the record is dated by, as written ("2015", "2015-03", a dateTime); null when it has none. */
  date: string | null;
  /** That date, or an undated time ("at age 7 years", "teenage years"), as shown. */
  dateText: string | null;
  /** A key sorting dates by their start (fhir-dates `dateSortKey`); null sorts with the undated. */
  sortKey: string | null;
  /** A negated or "no known" statement (statements.ts), shown as a statement and never counted; null otherwise. */
  statement: Statement | null;
  /**
   * The title again with each coded display name of what names the record in place of its own
   * words ("Diabetes mellitus type 2 (disorder)" for "2型糖尿病"), in coding order, those equal
   * to `title` left out: what to print where the title's script cannot be. Empty when the
   * record is not named by a concept (a blood pressure, a note) or its codes have no display.
   */
  codedTitles: string[];
  /** The main value shown, when the record has one ("<5 mg/L", "Yes", "Not recorded: error"). */
  value: string | null;
  /** Further lines a clinician reads with it: components, dosage, reactions, conclusion. */
  details: string[];
  /** Observation.interpretation as "High (H)", "Critically low (LL)": shown in the list and the detail. */
  flags: string[];
  /** Observation.referenceRange as "ref 4–10 mmol/L". */
  ranges: string[];
  codes: string[];
  /** Plain text the chart search looks through. */
  text: string;
}

const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);
const str = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value : undefined);

function noteText(resource: FhirResource): string {
  const content = first(resource.content);
  const data = isObject(content) && isObject(content.attachment) ? content.attachment.data : undefined;
  if (typeof data !== "string") return "";
  try {
    return noteAttachmentText({ content: [{ attachment: { data } }] });
  } catch (error) {
    // Text that is not base64 is an imported file's fault; anything else is a bug.
    if (isCryptoError(error) && error.code === "malformed") return "";
    throw error;
  }
}

/** The drug a medication record names: medicationCodeableConcept, a contained or context Medication, or the reference's display. */
function medicationName(resource: FhirResource, context: readonly ContextEntry[]): { name?: string; concept?: unknown } {
  if (isObject(resource.medicationCodeableConcept))
    return { name: conceptText(resource.medicationCodeableConcept), concept: resource.medicationCodeableConcept };
  const target = resolveReference(resource.medicationReference, resource, context);
  const concept = target?.resourceType === "Medication" ? target.code : undefined;
  return { name: conceptText(concept) ?? referenceName(resource.medicationReference, resource, context), concept };
}

// FHIR R4 v3-ActCode encounter classes in words.
const encounterClasses: Record<string, string> = {
  AMB: "Outpatient visit",
  EMER: "Emergency visit",
  IMP: "Hospital stay",
  ACUTE: "Hospital stay",
  NONAC: "Hospital stay",
  OBSENC: "Observation stay",
  PRENC: "Pre-admission visit",
  SS: "Short stay",
  HH: "Home visit",
  VR: "Virtual visit",
  FLD: "Field visit",
};

/** The first of several choice elements that carries a time ("onset", then "recorded"). */
function firstTime(resource: FhirResource, bases: string[], options: DateOptions): ChoiceTime | null {
  for (const base of bases) {
    // A plain element ("recordedDate", "issued", "period") or a choice element ("onset[x]").
    const plain = resource[base];
    if (typeof plain === "string" && plain) return { text: formatFhirDate(plain, options), date: plain };
    const period = isObject(plain) ? formatPeriod(plain, options) : null;
    if (period && isObject(plain)) return { text: period, date: str(plain.start) ?? str(plain.end) ?? null };
    const time = choiceTime(resource, base, options);
    if (time) return time;
  }
  return null;
}

/** Dosage of a MedicationStatement/Administration/Request in words ("Take 1 tablet daily", "1 tablet, once daily, by mouth"). */
function dosageLines(resource: FhirResource): string[] {
  const dosages = [resource.dosage, resource.dosageInstruction].flatMap((value) => (Array.isArray(value) ? value : isObject(value) ? [value] : []));
  return dosages.flatMap((dosage: unknown) => {
    const text = dosageText(dosage);
    return text ? [text] : [];
  });
}

/**
 * Title, date, value, statement and search text of a record's resource, read defensively
 * (an imported resource may have anything). `context` is the record's
 * `RecordDocument.context`: the resources its references point to (a Medication, a
 * Practitioner...), matched by fullUrl or "Type/id". Null for a resource that is no record
 * (a Patient, a Bundle).
 */
export function summarize(resource: FhirResource, context: readonly ContextEntry[] = [], options: DateOptions = {}): RecordSummary | null {
  const kind = kindOf(resource);
  if (!kind) return null;
  const formatDate = (value: string) => formatFhirDate(value, options);
  let name: string | undefined;
  let concept: unknown;
  let time: ChoiceTime | null = null;
  let value: string | null = null;
  let drug: unknown;
  const details: string[] = [];
  const flags = formatInterpretation(resource.interpretation);
  const ranges = formatReferenceRange(resource.referenceRange);
  const ref = (reference: unknown) => referenceName(reference, resource, context);

  switch (resource.resourceType) {
    case "Condition":
    case "AllergyIntolerance":
      concept = resource.code;
      time = firstTime(resource, ["onset", "recordedDate"], options);
      if (resource.resourceType === "AllergyIntolerance" && Array.isArray(resource.reaction)) {
        const reactions = resource.reaction
          .filter(isObject)
          .flatMap((reaction) => (Array.isArray(reaction.manifestation) ? reaction.manifestation.map(conceptText) : []));
        if (reactions.some(Boolean)) details.push(`Reaction: ${reactions.filter(Boolean).join(", ")}`);
      }
      if (resource.resourceType === "Condition") {
        const abatement = choiceTime(resource, "abatement", options);
        if (abatement) details.push(`Resolved: ${abatement.text}`);
      }
      break;
    case "MedicationStatement":
    case "MedicationRequest":
    case "MedicationDispense":
    case "MedicationAdministration": {
      const medication = medicationName(resource, context);
      name = medication.name;
      concept = medication.concept;
      drug = medication.concept ?? resource.medicationReference;
      time = firstTime(resource, ["effective", "dateAsserted", "authoredOn", "whenHandedOver", "whenPrepared"], options);
      details.push(...dosageLines(resource));
      break;
    }
    case "Immunization":
      concept = resource.vaccineCode;
      time = firstTime(resource, ["occurrence", "recorded"], options);
      break;
    case "Observation": {
      concept = resource.code;
      time = firstTime(resource, ["effective", "issued"], options);
      const bloodPressure = bloodPressureValue(resource);
      value = bloodPressure ?? formatElementValue(resource, formatDate);
      if (!bloodPressure) details.push(...formatComponents(resource, formatDate));
      if (bloodPressure) name = "Blood pressure";
      break;
    }
    case "DiagnosticReport":
      concept = resource.code;
      time = firstTime(resource, ["effective", "issued"], options);
      if (str(resource.conclusion)) details.push(String(resource.conclusion));
      break;
    case "Procedure":
      concept = resource.code;
      time = firstTime(resource, ["performed"], options);
      break;
    case "Encounter": {
      const type = first(resource.type);
      const klass = isObject(resource.class) ? resource.class : undefined;
      name =
        conceptText(type) ??
        conceptText(resource.serviceType) ??
        (klass && typeof klass.code === "string" ? (encounterClasses[klass.code] ?? str(klass.display)) : undefined);
      name ??= "Visit";
      concept = type;
      time = firstTime(resource, ["period"], options);
      const reasons = Array.isArray(resource.reasonCode) ? resource.reasonCode.map(conceptText).filter(Boolean) : [];
      if (reasons.length > 0) details.push(`Reason: ${reasons.join(", ")}`);
      const place = isObject(resource.serviceProvider) ? ref(resource.serviceProvider) : undefined;
      if (place) details.push(place);
      break;
    }
    case "CarePlan":
    case "CareTeam":
    case "Flag": {
      name = str(resource.title) ?? str(resource.name) ?? conceptText(resource.code) ?? conceptText(first(resource.category)) ?? str(resource.description);
      concept = resource.code ?? first(resource.category);
      time = firstTime(resource, ["period", "created"], options);
      if (resource.resourceType === "CareTeam" && Array.isArray(resource.participant)) {
        const members = resource.participant
          .filter(isObject)
          .map((member) => ref(member.member))
          .filter(Boolean);
        if (members.length > 0) details.push(`Members: ${members.join(", ")}`);
      }
      break;
    }
    case "Goal":
      concept = resource.description;
      time = firstTime(resource, ["start", "statusDate"], options);
      if (Array.isArray(resource.target)) {
        for (const target of resource.target.filter(isObject)) {
          const due = choiceTime(target, "due", options);
          const measure = conceptText(target.measure);
          const detail = formatElementValue(
            Object.fromEntries(Object.entries(target).map(([key, inner]) => [key.replace(/^detail/, "value"), inner])),
            formatDate,
          );
          const line = [measure, detail, due ? `by ${due.text}` : undefined].filter(Boolean).join(" ");
          if (line) details.push(`Target: ${line}`);
        }
      }
      break;
    case "FamilyMemberHistory": {
      const relation = conceptText(resource.relationship) ?? str(resource.name) ?? "Relative";
      const conditions = Array.isArray(resource.condition)
        ? resource.condition
            .filter(isObject)
            .map((condition) => conceptText(condition.code))
            .filter(Boolean)
        : [];
      name = conditions.length > 0 ? `${relation}: ${conditions.join(", ")}` : resource.status === "health-unknown" ? `${relation}: health unknown` : relation;
      concept = resource.relationship;
      time = firstTime(resource, ["date"], options);
      break;
    }
    case "Device":
      name = Array.isArray(resource.deviceName) && isObject(resource.deviceName[0]) ? str(resource.deviceName[0].name) : undefined;
      concept = resource.type;
      name ??= conceptText(resource.type) ?? str(resource.modelNumber);
      time = firstTime(resource, ["manufactureDate"], options);
      break;
    case "DeviceUseStatement":
      name = ref(resource.device);
      concept = resource.bodySite;
      time = firstTime(resource, ["timing", "recordedOn"], options);
      break;
    case "ServiceRequest":
      concept = resource.code;
      time = firstTime(resource, ["occurrence", "authoredOn"], options);
      break;
    case "DocumentReference": {
      const attachment = isObject(first(resource.content)) ? (first(resource.content) as Record<string, unknown>).attachment : undefined;
      time = firstTime(resource, ["date"], options);
      if (kind === "note") {
        const text = noteText(resource);
        // FHIR R4 DocumentReference: its description names it, else its type ("History and
        // physical note"); only then the text's first line (which may be a bare date).
        name = str(resource.description) ?? conceptText(resource.type) ?? (text.split("\n")[0] ?? "").slice(0, 80);
        name ||= "Note";
        details.push(text);
      } else {
        name = (isObject(attachment) ? str(attachment.title) : undefined) ?? str(resource.description) ?? conceptText(resource.type) ?? "File";
      }
      concept = resource.type;
      break;
    }
    case "Composition":
      name = str(resource.title) ?? conceptText(resource.type);
      concept = resource.type;
      time = firstTime(resource, ["date"], options);
      break;
    default: {
      // Any other resource: its type in words and what names it.
      const label =
        conceptText(resource.code) ??
        str(resource.name) ??
        humanName(resource.name) ??
        str(resource.title) ??
        conceptText(first(resource.type)) ??
        str(resource.description);
      const status = str(resource.status);
      name = label
        ? `${resourceTypeWords(resource.resourceType)}: ${label}`
        : `${resourceTypeWords(resource.resourceType)}${status ? ` (${status.replace(/-/g, " ")})` : ""}`;
      concept = resource.code;
      time = firstTime(resource, ["effective", "occurrence", "performed", "authoredOn", "date", "created", "recorded", "issued", "period"], options);
    }
  }

  const statement = statementOf(resource, drug ?? concept);
  const titled = (named: string) =>
    statement
      ? statementTitle(statement, named)
      : value && resource.resourceType === "Observation"
        ? name === "Blood pressure"
          ? `Blood pressure ${value}`
          : `${named}: ${value}`
        : named;
  const title = titled(
    name ?? conceptText(concept) ?? (isObject(resource.medicationReference) ? "Unnamed medication" : `${resourceTypeWords(resource.resourceType)}`),
  );
  // Only a record named by its concept has other names for it in that concept's codes.
  const namedByConcept = name === undefined || name === conceptText(concept);
  const codedTitles = namedByConcept
    ? codingDisplays(concept)
        .map(titled)
        .filter((coded) => coded !== title)
    : [];
  const date = time?.date ?? null;
  const codes = conceptCodes(concept);
  const text = [title, time?.text ?? "", value ?? "", ...details, ...flags, ...ranges, ...codes, ...searchWords(resource, context)].filter(Boolean).join("\n");
  return {
    kind,
    title,
    codedTitles,
    date,
    dateText: time?.text ?? null,
    sortKey: date ? dateSortKey(date) : null,
    statement,
    value,
    details,
    flags,
    ranges,
    codes,
    text,
  };
}
