import { beforeAll, describe, expect, it } from "vitest";
import { auditEventHash, auditGenesisHash, cryptoReady, toBase64url } from "@/crypto";
import type { AdminTrailEvent, AdminTrailPageJson } from "@/contract/admin-console";
import type { Transport } from "../transport/api";
import { bundleProblems, compileFhirSchema } from "../fhir/fhir-schema";
import { adminChainFields, buildAdminAuditBundle, readAdminTrail } from "./admin-trail";

const adminId = "6f1c1b7e-0000-4000-8000-00000000000a";
const adminName = "Administrator 6f1c1b7e";
const doctorId = "6f1c1b7e-0000-4000-8000-000000000002";

/** A chained trail of `n` alternating disables and enables, as the server stores it. */
function chain(n: number): AdminTrailEvent[] {
  let previous = auditGenesisHash;
  return Array.from({ length: n }, (_, index) => {
    const event: AdminTrailEvent = {
      seq: index + 1,
      actorId: adminId,
      action: index % 2 ? "account-enabled" : "account-disabled",
      subjectId: doctorId,
      outcome: "success",
      occurredAt: new Date(Date.UTC(2026, 10, 30, 10, index)).toISOString(),
      hash: "",
    };
    previous = auditEventHash(previous, { ...adminChainFields({ ...event, hash: toBase64url(new Uint8Array(32)) }) });
    return { ...event, hash: toBase64url(previous) };
  });
}

/** A transport that answers the trail route with these events, in pages as the server does. */
function serving(events: AdminTrailEvent[], head = events.at(-1)): Transport {
  return {
    call: (async (_route: unknown, input: { query?: { after?: number; limit?: number } }) => {
      const after = input.query?.after ?? 0;
      const page = events.filter((event) => event.seq > after).slice(0, input.query?.limit ?? 100);
      const answer: AdminTrailPageJson = {
        head: { seq: head?.seq ?? 0, hash: head?.hash ?? toBase64url(auditGenesisHash) },
        previousHash: null,
        events: page,
        names: { [doctorId]: "Dr Dana Dormant" },
      };
      return answer;
    }) as Transport["call"],
  };
}

describe("the administration trail in the browser", () => {
  beforeAll(async () => {
    await cryptoReady();
    await compileFhirSchema("AuditEvent", "Bundle");
  }, 120_000);

  it("verifies a chained trail, names clinicians by their public name, and exports valid FHIR R4 AuditEvents", async () => {
    const checked = await readAdminTrail(serving(chain(3)));
    expect(checked.status).toBe("verified");
    if (checked.status !== "verified") return;
    expect(checked.events.map((event) => [event.actorName, event.action, event.subjectName])).toEqual([
      [adminName, "account-disabled", "Dr Dana Dormant"],
      [adminName, "account-enabled", "Dr Dana Dormant"],
      [adminName, "account-disabled", "Dr Dana Dormant"],
    ]);
    const bundle = buildAdminAuditBundle(checked.events, new Date("2026-11-30T12:00:00Z"));
    expect(bundleProblems(bundle)).toEqual([]);
    expect(bundle.entry!.map((entry) => [entry.resource!.type.code, entry.resource!.subtype![0]!.code, entry.resource!.action])).toEqual([
      ["110137", "account-disabled", "U"],
      ["110137", "account-enabled", "U"],
      ["110137", "account-disabled", "U"],
    ]);
  });

  it("reports an edited event, a removed one and a head the events do not reach", async () => {
    const events = chain(3);
    const edited = events.map((event) => (event.seq === 2 ? { ...event, action: "account-disabled" as const } : event));
    expect(await readAdminTrail(serving(edited))).toEqual({ status: "tampered", brokenAtSeq: 2, reason: "hash" });
    expect(await readAdminTrail(serving([events[0]!, events[2]!]))).toMatchObject({ status: "tampered", reason: "sequence" });
    expect(await readAdminTrail(serving(events.slice(0, 2), events[2]))).toMatchObject({ status: "tampered", reason: "head" });
  });
});
