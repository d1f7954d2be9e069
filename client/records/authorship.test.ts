import { describe, expect, it } from "vitest";
import { authorshipLine } from "./authorship";

const patient = { userId: "p", name: "You" };
const doctor = { userId: "d", name: "Dr Ada Okafor (doctor)" };
const nurse = { userId: "n", name: "Sam Reyes (nurse)" };
const chain = (...authors: Array<{ userId: string; name: string }>) =>
  authors.map((author, index) => ({ version: index + 1, author, createdAt: "2026-11-29T10:00:00.000Z" }));

describe("authorship line", () => {
  it("says nothing for the patient's own record", () => {
    expect(authorshipLine(chain(patient, patient), "p", "p")).toBeNull();
    expect(authorshipLine(chain(patient), "p", "d")).toBeNull();
  });

  it("names the clinician who added a note, to the patient and to colleagues", () => {
    expect(authorshipLine(chain(doctor), "p", "p")).toBe("Added by Dr Ada Okafor (doctor)");
    expect(authorshipLine(chain(doctor), "p", "n")).toBe("Added by Dr Ada Okafor (doctor)");
    expect(authorshipLine(chain(doctor), "p", "d")).toBe("Added by you");
  });

  it("keeps the author of the first version and adds who edited it", () => {
    expect(authorshipLine(chain(doctor, patient), "p", "p")).toBe("Added by Dr Ada Okafor (doctor) · edited by you");
    expect(authorshipLine(chain(doctor, patient), "p", "d")).toBe("Added by you · edited by the patient");
    expect(authorshipLine(chain(doctor, patient), "p", "n")).toBe("Added by Dr Ada Okafor (doctor) · edited by the patient");
    expect(authorshipLine(chain(doctor, nurse, patient, nurse), "p", "p")).toBe("Added by Dr Ada Okafor (doctor) · edited by you and Sam Reyes (nurse)");
  });

  it("names a clinician who edited the patient's own record", () => {
    expect(authorshipLine(chain(patient, doctor), "p", "p")).toBe("Edited by Dr Ada Okafor (doctor)");
  });
});
