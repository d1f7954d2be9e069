import { beforeAll, describe, expect, it } from "vitest";
import type { AuditAction } from "@/contract/me";
import { auditEventResource, buildAuditBundle, consentResource, type GrantEntry, type TrailEntry } from "./audit-export";
import { bundleProblems, compileFhirSchema, schemaErrors as validate } from "./fhir-schema";

const patientId = "6f1c1b7e-0000-4000-8000-000000000001";
const doctorId = "6f1c1b7e-0000-4000-8000-000000000002";
const actions: AuditAction[] = [
  "sign-in",
  "sign-in-failed",
  "record-created",
  "record-fetched",
  "records-received",
  "file-fetched",
  "access-refused",
  "records-exported",
  "grant-created",
  "grant-expired",
];
const trail: TrailEntry[] = actions.map((action, index) => ({
  seq: index + 1,
  actorId: action === "grant-expired" ? null : index % 2 ? doctorId : patientId,
  actorName: index % 2 ? "Dr Ada Example" : "You",
  action,
  recordId: action.startsWith("record-") || action === "file-fetched" ? "6f1c1b7e-0000-4000-8000-000000000100" : null,
  recordIds: action === "records-received" ? ["6f1c1b7e-0000-4000-8000-000000000100", "6f1c1b7e-0000-4000-8000-000000000101"] : null,
  grantId: action.startsWith("grant") ? "6f1c1b7e-0000-4000-8000-000000000200" : null,
  outcome: action === "access-refused" ? "denied" : action === "sign-in-failed" ? "failure" : "success",
  occurredAt: new Date(Date.UTC(2026, 10, 25, 10, index)).toISOString(),
  recipient: null,
  // Repeated refusals are one counted event: how many, over which period.
  ...(action === "access-refused" ? { count: 3000, windowStart: "2026-11-25T09:00:00.000Z", windowEnd: "2026-11-25T09:01:00.000Z" } : {}),
}));
const grants: GrantEntry[] = [
  {
    id: "6f1c1b7e-0000-4000-8000-000000000200",
    clinicianId: doctorId,
    clinicianName: "Dr Ada Example",
    permission: "contribute",
    scope: "records",
    recordIds: ["6f1c1b7e-0000-4000-8000-000000000100"],
    createdAt: "2026-11-20T09:00:00.000Z",
    expiresAt: "2026-12-20T23:59:59.000Z",
    revokedAt: null,
  },
  {
    id: "6f1c1b7e-0000-4000-8000-000000000201",
    clinicianId: doctorId,
    clinicianName: "Dr Ada Example",
    permission: "read",
    scope: "all",
    recordIds: [],
    createdAt: "2026-11-01T09:00:00.000Z",
    expiresAt: null,
    revokedAt: "2026-11-02T09:00:00.000Z",
  },
];

describe("audit trail export", () => {
  // Compiling the whole R4 schema takes seconds on a busy machine: once, outside any test's time limit.
  beforeAll(() => compileFhirSchema("AuditEvent", "Consent", "Bundle"), 120_000);
  it.each(trail.map((entry) => [entry.action, entry] as const))("makes a valid FHIR R4 AuditEvent of %s", (_action, entry) => {
    expect(validate("AuditEvent", auditEventResource(entry, patientId))).toEqual([]);
  });

  it("gives a counted event its period and count", () => {
    const refused = auditEventResource(
      trail.find((entry) => entry.action === "access-refused")!,
      patientId,
    ) as unknown as { period: unknown; outcomeDesc: string };
    expect(refused.period).toEqual({ start: "2026-11-25T09:00:00.000Z", end: "2026-11-25T09:01:00.000Z" });
    expect(refused.outcomeDesc).toBe("3000 attempts");
  });

  it("exports a committed import as one create event counting its records", () => {
    const entry: TrailEntry = {
      ...trail[0]!,
      action: "records-imported",
      actorId: patientId,
      count: 120,
      windowStart: "2026-11-25T09:00:00.000Z",
      windowEnd: "2026-11-25T09:02:00.000Z",
    };
    const imported = auditEventResource(entry, patientId) as unknown as { action: string; outcomeDesc: string };
    expect(imported.action).toBe("C");
    expect(imported.outcomeDesc).toBe("120 records");
    expect(validate("AuditEvent", auditEventResource(entry, patientId))).toEqual([]);
  });

  it("credits a failed sign-in with the patient's passkey to someone unknown who asked for it, and an expiry to the app", () => {
    const agentOf = (entry: TrailEntry) =>
      (auditEventResource(entry, patientId) as unknown as { agent: Array<{ who: { display: string }; requestor: boolean }> }).agent[0];
    const failed = { ...trail.find((entry) => entry.action === "sign-in-failed")!, actorId: null };
    expect(agentOf(failed)).toEqual({ who: { display: "Someone unknown" }, requestor: true });
    expect(validate("AuditEvent", auditEventResource(failed, patientId))).toEqual([]);
    expect(agentOf(trail.find((entry) => entry.action === "grant-expired")!)).toEqual({ who: { display: "Health Safe Cloud" }, requestor: false });
  });

  it("names every record a list load sent, one entity each", () => {
    const received = auditEventResource(
      trail.find((entry) => entry.action === "records-received")!,
      patientId,
    ) as unknown as { entity: Array<{ what: { identifier: { system: string; value: string } } }>; action: string };
    expect(received.action).toBe("R");
    expect(
      received.entity.filter((entity) => entity.what.identifier.system === "urn:health-safe-cloud:record").map((entity) => entity.what.identifier.value),
    ).toEqual(["6f1c1b7e-0000-4000-8000-000000000100", "6f1c1b7e-0000-4000-8000-000000000101"]);
  });

  it("makes a valid FHIR R4 Consent of every grant, active or ended", () => {
    const now = new Date("2026-11-25T12:00:00Z");
    const consents = grants.map((grant) => consentResource(grant, patientId, now));
    for (const consent of consents) expect(validate("Consent", consent)).toEqual([]);
    expect(consents.map((consent) => consent.status)).toEqual(["active", "inactive"]);
  });

  it("bundles them into a valid FHIR R4 Bundle", () => {
    const bundle = buildAuditBundle(trail, grants, patientId, new Date("2026-11-25T12:00:00Z"));
    expect(bundleProblems(bundle)).toEqual([]);
    expect(bundle.entry).toHaveLength(trail.length + grants.length);
  });

  it("is a real check: the schema rejects a broken AuditEvent", () => {
    const broken = { ...auditEventResource(trail[0]!, patientId), action: "X", recorded: 12 };
    expect(validate("AuditEvent", broken).length).toBeGreaterThan(0);
  });
});
