import { describe, expect, it, vi } from "vitest";
import { codeOf } from "@/lib/app-error-test-helpers";
import { checkAdminEnrolment, enrolmentTokenFrom, enrolmentTokenMatches, minimumEnrolmentTokenLength, warnIfAdminEnrolmentDisabled } from "./admin-enrolment";

const token = "t0k3n-for-admin-enrolment-0123456789abcdef";
const short = "x".repeat(minimumEnrolmentTokenLength - 1);
const refusal = async (run: () => void) => codeOf(Promise.resolve().then(run));

describe("administrator enrolment", () => {
  it("is off without ADMIN_ENROLMENT_TOKEN: every admin sign-up is refused, whatever it carries", async () => {
    expect(enrolmentTokenFrom(undefined)).toBeNull();
    expect(await refusal(() => checkAdminEnrolment("admin", undefined, undefined))).toBe("enrolment-refused");
    expect(await refusal(() => checkAdminEnrolment("admin", token, undefined))).toBe("enrolment-refused");
    expect(await refusal(() => checkAdminEnrolment("admin", "", undefined))).toBe("enrolment-refused");
  });

  it("stays off with a token shorter than the minimum, even when exactly that token is presented", async () => {
    expect(enrolmentTokenFrom(short)).toBeNull();
    expect(await refusal(() => checkAdminEnrolment("admin", short, short))).toBe("enrolment-refused");
    const exact = "y".repeat(minimumEnrolmentTokenLength);
    expect(enrolmentTokenFrom(exact)).toBe(exact);
    expect(() => checkAdminEnrolment("admin", exact, exact)).not.toThrow();
  });

  it("refuses a missing or wrong token: another one, a prefix, one character more, another case", async () => {
    for (const presented of [undefined, "another-token-of-the-same-kind-0123456789", token.slice(0, -1), `${token}x`, token.toUpperCase()]) {
      expect(await refusal(() => checkAdminEnrolment("admin", presented, token)), String(presented)).toBe("enrolment-refused");
    }
  });

  it("accepts the configured token, and compares digests so lengths never differ", () => {
    expect(() => checkAdminEnrolment("admin", token, token)).not.toThrow();
    expect(enrolmentTokenMatches(token, token)).toBe(true);
    expect(enrolmentTokenMatches(token, "short")).toBe(false);
    expect(enrolmentTokenMatches(null, token)).toBe(false);
  });

  it("asks nothing of patients and clinicians", () => {
    for (const role of ["patient", "doctor", "nurse"]) {
      expect(() => checkAdminEnrolment(role, undefined, undefined)).not.toThrow();
      expect(() => checkAdminEnrolment(role, undefined, token)).not.toThrow();
    }
  });

  it("warns once per process about a token too short to use, without logging it; says nothing when unset or long enough", () => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("health-safe-cloud.admin-enrolment-warned")];
    const log = { warn: vi.fn() };
    warnIfAdminEnrolmentDisabled(undefined, log);
    warnIfAdminEnrolmentDisabled(token, log);
    expect(log.warn).not.toHaveBeenCalled();
    warnIfAdminEnrolmentDisabled(short, log);
    warnIfAdminEnrolmentDisabled(short, log);
    warnIfAdminEnrolmentDisabled("z".repeat(5), log);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(log.warn.mock.calls)).not.toContain(short);
  });
});
