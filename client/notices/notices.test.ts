import { describe, expect, it } from "vitest";
import { clinicianNoticeName, foldedWhen, noClinicianNames } from "./notices";

describe("when a folded notice happened", () => {
  it("says one time plainly, a burst within one shown minute once, and a longer burst from first to last", () => {
    expect(foldedWhen(1, "1 Dec 2026, 04:24", "1 Dec 2026, 04:24")).toBe("1 Dec 2026, 04:24");
    expect(foldedWhen(2, "1 Dec 2026, 04:24", "1 Dec 2026, 04:24")).toBe("2 times, 1 Dec 2026, 04:24");
    expect(foldedWhen(50, "1 Dec 2026, 04:24", "1 Dec 2026, 04:31")).toBe("50 times, from 1 Dec 2026, 04:24 to 1 Dec 2026, 04:31");
  });
});

describe("the patient a clinician's notice names", () => {
  const grantId = "11111111-1111-4111-8111-111111111111";
  const patientId = "22222222-2222-4222-8222-222222222222";
  it("is the name revealed in the share the notice is about, while it is held", () => {
    const shares = new Map([[grantId, { patientId, revealedName: "Stella Sharer" }]]);
    expect(clinicianNoticeName({ actorId: patientId, grantId }, { shares, patients: new Map([[patientId, "An older name"]]) })).toBe("Stella Sharer");
  });
  it("is the name the vault kept once the share is gone, else none", () => {
    expect(clinicianNoticeName({ actorId: patientId, grantId }, { shares: new Map(), patients: new Map([[patientId, "Stella Sharer"]]) })).toBe(
      "Stella Sharer",
    );
    expect(clinicianNoticeName({ actorId: patientId, grantId }, noClinicianNames)).toBeNull();
  });
});
