/**
 * Names of things as a record refers to them: a CodeableConcept's words, a Reference's target
 * (a contained resource "#id", a context resource matched by fullUrl or "Type/id", or only
 * the reference's own `display`), a person's or an organisation's name (FHIR R4 HumanName,
 * Organization.name, Medication.code...).
 */
import { isObject, type ContextEntry, type FhirResource } from "./types";
import { codeWords } from "./code-words";

/**
 * A CodeableConcept (FHIR R4 §2.24.0.8) in words: its `text`, else the first coding's
 * `display`, else the first code. Undefined when it has none of them.
 */
export function conceptText(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.text === "string" && value.text.trim()) return value.text;
  const codings = Array.isArray(value.coding) ? value.coding.filter(isObject) : [];
  const shown = codings.find((coding) => typeof coding.display === "string" && coding.display.trim());
  if (shown) return String(shown.display);
  const coded = codings.find((coding) => typeof coding.code === "string" && coding.code);
  if (!coded) return undefined;
  // A code without a display: its words when the code system is one we know, else the code.
  const code = String(coded.code);
  return codeWords(code, typeof coded.system === "string" ? coded.system : undefined) ?? code;
}

/**
 * Each coding's `display` of a CodeableConcept, in coding order, without repeats: the coded
 * names of a thing, to print where its `text` cannot be (a script the PDF font lacks).
 */
export function codingDisplays(value: unknown): string[] {
  if (!isObject(value) || !Array.isArray(value.coding)) return [];
  const displays = value.coding.filter(isObject).flatMap((coding) => (typeof coding.display === "string" && coding.display.trim() ? [coding.display] : []));
  return [...new Set(displays)];
}

/** A CodeableConcept's codings as "system|code" and each display, for search and for matching. */
export function conceptCodes(value: unknown): string[] {
  if (!isObject(value) || !Array.isArray(value.coding)) return [];
  return value.coding
    .filter(isObject)
    .flatMap((coding) => [
      typeof coding.code === "string" && coding.code ? `${typeof coding.system === "string" ? coding.system : ""}|${coding.code}` : "",
      typeof coding.display === "string" ? coding.display : "",
    ])
    .filter(Boolean);
}

/** A FHIR R4 HumanName as people write it: its `text`, else prefix, given and family names. */
export function humanName(value: unknown): string | undefined {
  const names = (Array.isArray(value) ? value : [value]).filter(isObject);
  const name = names.find((entry) => entry.use === "official") ?? names.find((entry) => entry.use !== "old") ?? names[0];
  if (!name) return undefined;
  if (typeof name.text === "string" && name.text.trim()) return name.text;
  const strings = (part: unknown): string[] => (Array.isArray(part) ? part.filter((item): item is string => typeof item === "string") : []);
  const words = [...strings(name.prefix), ...strings(name.given), typeof name.family === "string" ? name.family : "", ...strings(name.suffix)].filter(Boolean);
  return words.length > 0 ? words.join(" ") : undefined;
}

/**
 * What a resource is called when another points to it: a person's name (Patient,
 * Practitioner, RelatedPerson), an Organization's, Location's, Device's or Group's name, a
 * Medication's or Substance's code, a PractitionerRole's practitioner or role; else undefined.
 */
export function resourceName(resource: FhirResource, context: readonly ContextEntry[] = []): string | undefined {
  if (typeof resource.name === "string" && resource.name.trim()) return resource.name;
  const person = humanName(resource.name);
  if (person) return person;
  switch (resource.resourceType) {
    case "Medication":
    case "Substance":
      return conceptText(resource.code);
    case "PractitionerRole": {
      const who = isObject(resource.practitioner) ? referenceName(resource.practitioner, resource, context) : undefined;
      const role = Array.isArray(resource.code) ? conceptText(resource.code[0]) : undefined;
      return [who, role].filter(Boolean).join(", ") || undefined;
    }
    case "Device": {
      const deviceName = Array.isArray(resource.deviceName) ? resource.deviceName.find(isObject) : undefined;
      if (deviceName && typeof deviceName.name === "string") return deviceName.name;
      return conceptText(resource.type);
    }
    default:
      return undefined;
  }
}

/**
 * The resource a Reference points to, when the record has it: a contained resource ("#id"),
 * or a context resource whose fullUrl or "Type/id" is the reference (an absolute
 * ".../fhir/Type/id" also matches by its last two parts). Undefined when it is elsewhere.
 */
export function resolveReference(reference: unknown, holder: FhirResource, context: readonly ContextEntry[] = []): FhirResource | undefined {
  if (!isObject(reference) || typeof reference.reference !== "string") return undefined;
  const target = reference.reference;
  if (target.startsWith("#")) {
    const contained = Array.isArray(holder.contained) ? holder.contained : [];
    const found: unknown = contained.find((entry: unknown) => isObject(entry) && `#${String(entry.id)}` === target);
    return isObject(found) && typeof found.resourceType === "string" ? (found as FhirResource) : undefined;
  }
  const relative = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(target)?.[1];
  return context.find(
    (entry) => entry.fullUrl === target || (relative !== undefined && `${entry.resource.resourceType}/${entry.resource.id ?? ""}` === relative),
  )?.resource;
}

/**
 * A Reference in words: the name of the resource it points to (resolveReference), else its
 * own `display`, else undefined (the caller says what kind of thing it is).
 */
export function referenceName(reference: unknown, holder: FhirResource, context: readonly ContextEntry[] = []): string | undefined {
  if (!isObject(reference)) return undefined;
  const target = resolveReference(reference, holder, context);
  const name = target ? resourceName(target, context) : undefined;
  if (name) return name;
  return typeof reference.display === "string" && reference.display.trim() ? reference.display : undefined;
}

/** "MedicationStatement" -> "Medication statement": a resource type in words, for generic titles. */
export function resourceTypeWords(resourceType: string): string {
  const spaced = resourceType.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
