import { describe, expect, it } from "vitest";
import { allergyRisk } from "./allergy-risk";

describe("an allergy's risk in a list row", () => {
  it("says its criticality and its most severe reaction", () => {
    expect(
      allergyRisk({
        resourceType: "AllergyIntolerance",
        criticality: "high",
        reaction: [{ severity: "mild" }, { severity: "severe", manifestation: [{ text: "Anaphylaxis" }] }, { severity: "moderate" }],
      }),
    ).toEqual(["High criticality", "Severe reaction"]);
    expect(allergyRisk({ resourceType: "AllergyIntolerance", criticality: "unable-to-assess" })).toEqual(["Criticality not assessed"]);
    expect(allergyRisk({ resourceType: "AllergyIntolerance", reaction: [{ severity: "moderate" }] })).toEqual(["Moderate reaction"]);
  });

  it("says nothing of other resources, or of codes outside the value sets", () => {
    expect(allergyRisk({ resourceType: "Condition", criticality: "high" })).toEqual([]);
    expect(allergyRisk({ resourceType: "AllergyIntolerance", criticality: "HIGH", reaction: [{ severity: "fatal" }, "junk"] })).toEqual([]);
  });
});
