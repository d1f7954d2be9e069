import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatElementValue, formatQuantity, formatRange, formatRatio } from "./values";
import { summarize } from "./summary";

const asWritten = (value: string) => value;

describe("values as clinicians read them", () => {
  it("keeps comparators, with ≥ and ≤ for >= and <=", () => {
    expect(formatQuantity({ value: 5, comparator: "<", unit: "mg/L" })).toBe("<5 mg/L");
    expect(formatQuantity({ value: 90, comparator: ">=", unit: "mL/min/{1.73_m2}" })).toBe("≥90 mL/min/{1.73_m2}");
    expect(formatQuantity({ value: 3, comparator: "<=", code: "mmol/L" })).toBe("≤3 mmol/L");
    expect(formatQuantity({ value: 7.5, unit: "%" })).toBe("7.5%");
  });

  it("uses the UCUM code when the unit is absent, and writes mm[Hg] as mmHg", () => {
    expect(formatQuantity({ value: 37, code: "Cel", system: "http://unitsofmeasure.org" })).toBe("37 Cel");
    expect(formatQuantity({ value: 120, unit: "mm[Hg]" })).toBe("120 mmHg");
  });

  it("writes ranges, ratios and the other value kinds", () => {
    expect(formatRange({ low: { value: 4, unit: "mmol/L" }, high: { value: 6, unit: "mmol/L" } })).toBe("4–6 mmol/L");
    expect(formatRange({ low: { value: 4, unit: "mmol/L" } })).toBe("≥4 mmol/L");
    expect(formatRatio({ numerator: { value: 1 }, denominator: { value: 128 } })).toBe("1/128");
    expect(formatElementValue({ valueBoolean: false }, asWritten)).toBe("No");
    expect(formatElementValue({ valueInteger: 0 }, asWritten)).toBe("0");
    expect(formatElementValue({ valueCodeableConcept: { coding: [{ code: "POS", display: "Positive" }] } }, asWritten)).toBe("Positive");
    expect(formatElementValue({ valuePeriod: { start: "2020", end: "2021" } }, asWritten)).toBe("2020 – 2021");
    expect(formatElementValue({ dataAbsentReason: { text: "Asked but declined" } }, asWritten)).toBe("Not recorded: asked but declined");
  });

  it("never drops the comparator of a generated Quantity, in the value or the title", () => {
    const words: Record<string, string> = { "<": "<", "<=": "≤", ">=": "≥", ">": ">" };
    fc.assert(
      fc.property(
        fc.constantFrom("<", "<=", ">=", ">"),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
        fc.option(fc.stringMatching(/^[A-Za-z/{}[\]._0-9*%]{1,12}$/), { nil: undefined }),
        (comparator, value, unit) => {
          const quantity = { value, comparator, ...(unit ? { unit } : {}) };
          const shown = formatQuantity(quantity);
          expect(shown?.startsWith(`${words[comparator]}${String(value)}`)).toBe(true);
          const title = summarize({ resourceType: "Observation", status: "final", code: { text: "Test" }, valueQuantity: quantity })?.title ?? "";
          expect(title).toContain(`${words[comparator]}${String(value)}`);
        },
      ),
    );
  });
});
