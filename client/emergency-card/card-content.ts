import { dosageText } from "../fhir/dosage";
import { codingDisplays, conceptText } from "../fhir/names";
import { summarize, type RecordSummary } from "../fhir/summary";
import { isObject, type FhirResource, type RecordKind } from "../fhir/types";
import { formatElementValue } from "../fhir/values";
import type { OkEntry } from "../records/records";
import { newestFirst } from "../summary/patient-summary";
import { cardContactLine, type CardContact } from "../emergency/contact-names";
import { emergencyEntries, type EmergencyChoice } from "./emergency-set";

/**
 * A text the card prints as recorded, then other names for the same thing (the display names
 * of its codes), best first: the PDF prints the first its fonts draw whole (pdf-text `printable`).
 */
export type Wording = readonly string[];

/** One entry of the card: the card's own words (strings, always printable) and recorded texts (wordings), in order. */
export type CardText = ReadonlyArray<string | Wording>;

/** What the printed card says (card-pdf `buildCardPdf` draws exactly `cardLines` of it). */
export interface CardContent {
  name: string;
  birthDate: string | null;
  /** Each with its criticality and reactions (manifestations, severity) where recorded. */
  allergies: CardText[];
  /** Each with its dosage (Dosage.text, else dose and timing) where recorded. */
  medications: CardText[];
  problems: CardText[];
  /** The latest recorded ABO/Rh blood group, or null. */
  bloodType: CardText | null;
  /**
   * The patient's named emergency contacts (as their vault names them: "Ann — 0161 496 0000"),
   * then the contacts as the patient typed them, one item a line (blank lines left out).
   */
  contacts: string[];
}

/** LOINC codes of a blood group: 882-1 ABO and Rh group, 883-9 ABO group, 10331-7 Rh type, 34474-7 ABO and Rh group (panel). */
export const bloodGroupCodes: ReadonlySet<string> = new Set(["882-1", "883-9", "10331-7", "34474-7"]);

const isBloodGroup = (resource: Record<string, unknown>) =>
  resource.resourceType === "Observation" &&
  isObject(resource.code) &&
  Array.isArray(resource.code.coding) &&
  resource.code.coding.some(
    (coding) => isObject(coding) && coding.system === "http://loinc.org" && typeof coding.code === "string" && bloodGroupCodes.has(coding.code),
  );

/** Texts as a wording: blanks and repeats left out. */
const wording = (...texts: ReadonlyArray<string | null | undefined>): Wording => [...new Set(texts.filter((text): text is string => Boolean(text?.trim())))];

/** A CodeableConcept's wordings: its words as the chart shows them, then each coding's display. */
const conceptWording = (concept: unknown): Wording => wording(conceptText(concept), ...codingDisplays(concept));

/** Parts with a separator between each two. */
const joined = (parts: readonly CardText[], separator: string): CardText => parts.flatMap((part, index) => (index === 0 ? part : [separator, ...part]));

// FHIR R4 AllergyIntolerance.criticality (allergy-intolerance-criticality), as a clinician reads it.
const criticalities: Record<string, string> = {
  low: "low criticality",
  high: "high criticality",
  "unable-to-assess": "criticality not assessed",
};

/**
 * An AllergyIntolerance's criticality in words ("high criticality", "low criticality",
 * "criticality not assessed"), or null when none is recorded or it is not one of the FHIR R4
 * codes. Does not throw.
 */
export const criticalityWords = (resource: FhirResource): string | null =>
  typeof resource.criticality === "string" ? (criticalities[resource.criticality] ?? null) : null;
// FHIR R4 AllergyIntolerance.reaction.severity (reaction-event-severity): mild | moderate | severe.
const severities = new Set(["mild", "moderate", "severe"]);

/** An allergy's criticality, then each reaction: "reaction: Hives, Angioedema (severe)". */
function allergyDetails(resource: FhirResource): CardText[] {
  const criticality = criticalityWords(resource);
  const reactions = (Array.isArray(resource.reaction) ? resource.reaction.filter(isObject) : []).flatMap((reaction): CardText[] => {
    const manifestations = (Array.isArray(reaction.manifestation) ? reaction.manifestation : []).map(conceptWording).filter((said) => said.length > 0);
    const severity = typeof reaction.severity === "string" && severities.has(reaction.severity) ? reaction.severity : null;
    if (manifestations.length === 0) return severity ? [[`${severity} reaction`]] : [];
    return [
      [
        "reaction: ",
        ...joined(
          manifestations.map((said) => [said]),
          ", ",
        ),
        ...(severity ? [` (${severity})`] : []),
      ],
    ];
  });
  return [...(criticality ? [[criticality]] : []), ...reactions];
}

/**
 * A medication's dosages (FHIR R4 MedicationStatement.dosage, MedicationRequest.dosageInstruction,
 * MedicationAdministration.dosage): each its text, then the same built from its dose and timing.
 */
function dosageDetails(resource: FhirResource): CardText[] {
  const dosages = [resource.dosage, resource.dosageInstruction].flatMap((value) => (Array.isArray(value) ? value : isObject(value) ? [value] : []));
  return dosages.filter(isObject).flatMap((dosage) => {
    const said = wording(dosageText(dosage), dosageText({ ...dosage, text: undefined }));
    return said.length > 0 ? [[said]] : [];
  });
}

/**
 * A record's entry: its title (as the chart words it, then by its codes' display names), and,
 * for an allergy or a medication that states no absence, what emergency staff need beside it.
 */
function recordText(resource: FhirResource, summary: RecordSummary): CardText {
  const title: Wording = [summary.title, ...summary.codedTitles];
  const details = summary.statement ? [] : summary.kind === "allergy" ? allergyDetails(resource) : summary.kind === "medication" ? dosageDetails(resource) : [];
  return details.length > 0 ? [title, " — ", ...joined(details, "; ")] : [title];
}

/** The chosen records of some kinds as card entries: statements ("No known food allergy") first, then newest first. */
function entriesOf(records: ReadonlyArray<{ resource: FhirResource; summary: RecordSummary }>, kind: RecordKind): CardText[] {
  const ofKind = records.filter((record) => record.summary.kind === kind).sort((a, b) => newestFirst(a.summary, b.summary));
  return [...ofKind.filter((record) => record.summary.statement), ...ofKind.filter((record) => !record.summary.statement)].map((record) =>
    recordText(record.resource, record.summary),
  );
}

/**
 * The card's essentials from the decrypted chart: allergies, medications and problems of the
 * emergency set (titles as the chart words them, with their codes' display names to print
 * instead where the card's font cannot; allergies with criticality and reactions, medications
 * with dosage), the newest blood group Observation (LOINC 882-1 and related) anywhere in the
 * chart, and the contacts: the named emergency contacts given (`namedContacts`, from the
 * patient's vault: client/emergency/contact-names.ts) first, then those the patient typed, line
 * by line. Does not throw.
 */
export function cardContent(
  entries: readonly OkEntry[],
  choice: EmergencyChoice,
  patient: { name: string; birthDate: string | null; contacts: string; namedContacts?: readonly CardContact[] },
): CardContent {
  const records = emergencyEntries(entries, choice).flatMap(({ document }) => {
    const summary = summarize(document.resource, document.context);
    return summary ? [{ resource: document.resource, summary }] : [];
  });
  const groups = entries
    .map((entry) => entry.document.resource as Record<string, unknown>)
    .filter(isBloodGroup)
    .sort((a, b) => String(b.effectiveDateTime ?? "").localeCompare(String(a.effectiveDateTime ?? "")));
  const group = groups[0];
  const bloodType = group ? formatElementValue(group, (value) => value) : null;
  return {
    name: patient.name,
    birthDate: patient.birthDate,
    allergies: entriesOf(records, "allergy"),
    medications: entriesOf(records, "medication"),
    problems: entriesOf(records, "condition"),
    bloodType: group && bloodType ? [wording(bloodType, ...codingDisplays(group.valueCodeableConcept))] : null,
    contacts: [
      ...(patient.namedContacts ?? []).map(cardContactLine),
      ...patient.contacts
        .split(/\r\n|\r|\n/)
        .map((line) => line.trim())
        .filter(Boolean),
    ],
  };
}

/** One line of the card before wrapping: the name (bold), a field ("Blood type: …"), or an entry of a list (indented). */
export interface CardLine {
  text: string;
  kind: "name" | "field" | "entry";
}

/** The first wording: the text as recorded (where a PDF's fonts draw everything). */
const asRecorded = (wording: Wording): string => wording[0] ?? "";

/**
 * The card's text, line by line as drawn (before wrapping): the PDF's first page says exactly
 * these. A list is a field line ("Allergies:") and an entry line each ("• …"), or "None
 * recorded"; the contacts keep the patient's lines.
 * @param print picks what to print of a recorded text: by default its first wording; the PDF
 *   passes pdf-text `printable` with its fonts' coverage
 */
export function cardLines(content: CardContent, print: (wording: Wording) => string = asRecorded): CardLine[] {
  const text = (parts: CardText) => parts.map((part) => (typeof part === "string" ? part : print(part))).join("");
  const list = (label: string, entries: readonly string[], none: string): CardLine[] =>
    entries.length === 0
      ? [{ text: `${label}: ${none}`, kind: "field" }]
      : [{ text: `${label}:`, kind: "field" }, ...entries.map((entry): CardLine => ({ text: entry, kind: "entry" }))];
  const bullets = (entries: readonly CardText[]) => entries.map((entry) => `• ${text(entry)}`);
  return [
    { text: `${print([content.name])}${content.birthDate ? `, born ${content.birthDate}` : ""}`, kind: "name" },
    ...list("Allergies", bullets(content.allergies), "None recorded"),
    ...list("Medications", bullets(content.medications), "None recorded"),
    ...list("Problems", bullets(content.problems), "None recorded"),
    { text: `Blood type: ${content.bloodType ? text(content.bloodType) : "Not recorded"}`, kind: "field" },
    // The patient's own lines, so each contact's number stays with its name.
    ...list(
      "Emergency contacts",
      content.contacts.map((line) => print([line])),
      "None given",
    ),
  ];
}
