import { describe, expect, it } from "vitest";
import { RecordsPartlySavedError } from "./records";

describe("records partly saved", () => {
  it("says how many were saved in the form the count needs", () => {
    expect(new RecordsPartlySavedError(1, null).message).toBe("1 record was saved before the rest failed.");
    expect(new RecordsPartlySavedError(3, null).message).toBe("3 records were saved before the rest failed.");
  });
});
