import { describe, expect, it } from "vitest";
import { codeFieldWords, codeWords } from "./code-words";
import { conceptText } from "./names";

describe("codes without a display, in words", () => {
  it("reads the FHIR R4 and v3 codes a document and its results use", () => {
    expect(codeWords("vital-signs", "http://terminology.hl7.org/CodeSystem/observation-category")).toBe("Vital signs");
    expect(codeWords("social-history")).toBe("Social history");
    expect(codeWords("N", "http://terminology.hl7.org/CodeSystem/v3-Confidentiality")).toBe("Normal");
    expect(codeWords("PCPR", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType")).toBe("Care provider");
    expect(codeWords("PCPR", "http://terminology.hl7.org/CodeSystem/v3-ActClass")).toBe("Care provision");
    expect(codeWords("appends")).toBe("Appends");
  });

  it("leaves a code alone when its system is unknown or it means different things", () => {
    expect(codeWords("N", "http://loinc.org")).toBeUndefined();
    expect(codeWords("PCPR")).toBeUndefined();
    expect(codeWords("12345")).toBeUndefined();
  });

  it("reads code elements by their FHIR R4 element name", () => {
    expect(codeFieldWords("confidentiality", "R")).toBe("Restricted");
    expect(codeFieldWords("code", "replaces")).toBe("Replaces");
    expect(codeFieldWords("mode", "legal")).toBe("Legal");
    expect(codeFieldWords("status", "N")).toBeUndefined();
  });

  it("a CodeableConcept whose coding has no display is named in words", () => {
    expect(conceptText({ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] })).toBe("Vital signs");
    expect(conceptText({ coding: [{ system: "http://snomed.info/sct", code: "198436008" }] })).toBe("198436008");
  });
});
