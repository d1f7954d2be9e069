import { isCryptoError } from "@/crypto";
import { kindOf } from "./kinds";
import { noteAttachmentText } from "./note";
import { asResource, isObject, type CodeableConcept, type FhirResource, type RecordKind } from "./types";

export interface RecordSummary {
  kind: RecordKind;
  title: string;
  date: string | null;
  codes: string[];
  /** Plain text the chart search looks through. */
  text: string;
}

function conceptText(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const concept = value as CodeableConcept;
  return concept.text ?? concept.coding?.find((coding) => coding.display)?.display ?? concept.coding?.[0]?.code;
}

function conceptCodes(value: unknown): string[] {
  if (!isObject(value)) return [];
  const concept = value as CodeableConcept;
  return (concept.coding ?? []).flatMap((coding) => [coding.code ? `${coding.system ?? ""}|${coding.code}` : "", coding.display ?? ""]).filter(Boolean);
}

const field = (resource: FhirResource, path: string): unknown =>
  path.split(".").reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), resource);

const firstString = (resource: FhirResource, paths: string[]): string | null => {
  for (const path of paths) {
    const value = field(resource, path);
    if (typeof value === "string" && value) return value;
  }
  return null;
};

function observationValue(observation: Partial<fhir4.Observation>): string | undefined {
  const quantity: unknown = observation.valueQuantity;
  if (isObject(quantity) && quantity.value !== undefined) {
    const { value, unit, code } = quantity as fhir4.Quantity;
    return `${String(value)} ${String(unit ?? code ?? "")}`.trim();
  }
  if (typeof observation.valueString === "string") return observation.valueString;
  return conceptText(observation.valueCodeableConcept);
}

function noteText(note: Partial<fhir4.DocumentReference>): string {
  const content: unknown = Array.isArray(note.content) ? note.content[0] : undefined;
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

function medicationConcept(statement: Partial<fhir4.MedicationStatement>): unknown {
  if (statement.medicationCodeableConcept) return statement.medicationCodeableConcept;
  const reference: unknown = statement.medicationReference?.reference;
  const contained: unknown[] = Array.isArray(statement.contained) ? statement.contained : [];
  // The statement's own Medication ("#med"), as the import puts it inside.
  const medication = contained.find((entry) => isObject(entry) && typeof reference === "string" && `#${String(entry.id)}` === reference);
  return isObject(medication) ? (medication as Partial<fhir4.Medication>).code : undefined;
}

/** Title, date, codes and search text for a supported resource; null for anything else. */
export function summarize(resource: FhirResource): RecordSummary | null {
  const kind = kindOf(resource);
  if (!kind) return null;
  let concept: unknown;
  let title: string | undefined;
  let date: string | null = null;
  switch (kind) {
    case "condition":
      concept = asResource(resource, "Condition")?.code;
      date = firstString(resource, ["onsetDateTime", "recordedDate"]);
      break;
    case "medication":
      concept = medicationConcept(asResource(resource, "MedicationStatement") ?? {});
      date = firstString(resource, ["effectivePeriod.start", "effectiveDateTime", "dateAsserted"]);
      break;
    case "allergy":
      concept = asResource(resource, "AllergyIntolerance")?.code;
      date = firstString(resource, ["onsetDateTime", "recordedDate"]);
      break;
    case "immunization":
      concept = asResource(resource, "Immunization")?.vaccineCode;
      date = firstString(resource, ["occurrenceDateTime"]);
      break;
    case "observation": {
      const observation = asResource(resource, "Observation") ?? {};
      concept = observation.code;
      const value = observationValue(observation);
      title = [conceptText(concept), value].filter(Boolean).join(": ") || undefined;
      date = firstString(resource, ["effectiveDateTime", "effectivePeriod.start", "issued"]);
      break;
    }
    case "note": {
      const text = noteText(asResource(resource, "DocumentReference") ?? {});
      title = firstString(resource, ["description"]) ?? (text.split("\n")[0] ?? "").slice(0, 80);
      date = firstString(resource, ["date"]);
      return { kind, title: title || "Note", date, codes: [], text: `${title}\n${text}` };
    }
    case "document": {
      const content = Array.isArray(resource.content) ? resource.content[0] : undefined;
      const attachment = isObject(content) && isObject(content.attachment) ? content.attachment : {};
      title = typeof attachment.title === "string" ? attachment.title : "File";
      date = firstString(resource, ["date"]);
      return { kind, title, date, codes: [], text: title };
    }
  }
  title ??= conceptText(concept) ?? "Untitled";
  const codes = conceptCodes(concept);
  const notes = Array.isArray(resource.note) ? resource.note.map((note) => (isObject(note) ? String(note.text ?? "") : "")).join(" ") : "";
  return { kind, title, date, codes, text: [title, ...codes, notes].join("\n") };
}
