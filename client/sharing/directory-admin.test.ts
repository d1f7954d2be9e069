import { describe, expect, it } from "vitest";
import type { AdminDirectoryEntry } from "@/contract/directory";
import { licenceKey, namesakeCounts, shortAccountId, verifiedElsewhere } from "./directory-admin";

const entry = (userId: string, displayName: string, verifiedNumber?: string, action: "verify" | "revoke" = "verify"): AdminDirectoryEntry => ({
  userId,
  role: "doctor",
  displayName,
  specialty: "Cardiology",
  organization: "Riverside Clinic",
  declaredLicenceNumber: verifiedNumber ?? "",
  signedUpAt: "2026-12-01T04:00:00.000Z",
  identityPublicKey: "A".repeat(43),
  verification:
    verifiedNumber === undefined
      ? null
      : {
          id: "00000000-0000-4000-8000-000000000001",
          action,
          displayName,
          specialty: "Cardiology",
          organization: "Riverside Clinic",
          licenceNumber: action === "verify" ? verifiedNumber : "",
          adminId: "00000000-0000-4000-8000-0000000000ad",
          adminName: "Ada Admin",
          issuedAt: 0,
          signature: "A".repeat(86),
        },
});

const real = "11111111-0000-4000-8000-000000000001";
const copy = "22222222-0000-4000-8000-000000000002";
const withdrawn = "33333333-0000-4000-8000-000000000003";

describe("telling directory entries apart for an administrator", () => {
  it("compares licence numbers as registers do: case, spaces, dots, dashes and slashes aside", () => {
    expect(licenceKey("gmc 765-4321")).toBe("GMC7654321");
    expect(licenceKey(" GMC.765/4321 ")).toBe("GMC7654321");
    expect(licenceKey("ＧＭＣ７６５４３２１")).toBe("GMC7654321");
    expect(licenceKey("GMC 7654322")).not.toBe(licenceKey("GMC 7654321"));
  });

  it("finds the other accounts a number is already verified for, not the entry itself, a withdrawn one, or an empty number", () => {
    const entries = [entry(real, "Dr Amara Okafor", "GMC 7654321"), entry(copy, "Dr Amara Okafor"), entry(withdrawn, "Dr Other", "GMC 7654321", "revoke")];
    expect(verifiedElsewhere(entries, copy, "gmc 765 4321").map((other) => other.userId)).toEqual([real]);
    expect(verifiedElsewhere(entries, real, "GMC 7654321")).toEqual([]);
    expect(verifiedElsewhere(entries, copy, "GMC 1234567")).toEqual([]);
    expect(verifiedElsewhere(entries, copy, "  ")).toEqual([]);
  });

  it("counts namesakes whatever the case and spacing, and shortens account ids to their first 8 digits", () => {
    const counts = namesakeCounts([entry(real, "Dr Amara Okafor"), entry(copy, "dr  amara okafor "), entry(withdrawn, "Dr Other")]);
    expect([counts.get(real), counts.get(copy), counts.get(withdrawn)]).toEqual([2, 2, 1]);
    expect(shortAccountId(real)).toBe("11111111");
  });
});
