import type { AuditAction, TrailEvent } from "@/contract/me";
import { pluralOf } from "../format";
import { actorNameOf, byOthers } from "../audit/trail-words";

/**
 * One event of a verified audit trail, as the browser shows it: the wire's event (contract/me.ts)
 * without its hash, with the name of who did it; a counted event's fields may be left out.
 */
export type TrailEntry = Omit<TrailEvent, "hash" | "count" | "windowStart" | "windowEnd"> &
  Partial<Pick<TrailEvent, "count" | "windowStart" | "windowEnd">> & {
    actorName: string;
    /** For joining or leaving a care team: the team and its organization, as the trail page names it. */
    teamName?: string;
  };

/** One grant as the dashboard knows it. */
export interface GrantEntry {
  id: string;
  clinicianId: string;
  clinicianName: string;
  permission: "read" | "contribute";
  scope: "records" | "all";
  recordIds: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const system = {
  user: "urn:health-safe-cloud:user",
  record: "urn:health-safe-cloud:record",
  grant: "urn:health-safe-cloud:grant",
  action: "urn:health-safe-cloud:audit-action",
};

const dicom = "http://dicom.nema.org/resources/ontology/DCM";
const authenticationActions = new Set<AuditAction>([
  "sign-in",
  "sign-in-new-browser",
  "sign-in-failed",
  "passkey-added",
  "passkey-renamed",
  "passkey-removed",
  "account-recovered",
  "recovery-key-changed",
]);
/** Administrative actions on an account (the administration trail, lib/admin): DICOM "User Security Attributes Changed". */
const administrativeActions = new Set<AuditAction>([
  "account-disabled",
  "account-enabled",
  "directory-entry-verified",
  "directory-verification-withdrawn",
  "administrator-enrolled",
  "organization-created",
]);
const crud: Partial<Record<AuditAction, NonNullable<fhir4.AuditEvent["action"]>>> = {
  "record-created": "C",
  "records-imported": "C",
  "record-updated": "U",
  "record-key-rotated": "U",
  "record-deleted": "D",
  "chart-fetched": "R",
  "record-versions-fetched": "R",
  "record-fetched": "R",
  "records-received": "R",
  "file-fetched": "R",
  "access-refused": "R",
  "records-exported": "R",
  "grant-created": "C",
  "grant-revoked": "D",
  "grant-record-revoked": "U",
  "grant-changed": "U",
  "grant-permission-changed": "U",
  "grant-end-date-changed": "U",
  "grant-record-added": "U",
  "grant-expired": "D",
  "grant-holder-departed": "D",
  "emergency-contact-named": "C",
  "emergency-requested": "E",
  "emergency-approved": "U",
  "emergency-refused": "U",
  "emergency-ended": "D",
  "emergency-records-received": "R",
  "account-disabled": "U",
  "account-enabled": "U",
  "directory-entry-verified": "U",
  "directory-verification-withdrawn": "U",
  "administrator-enrolled": "C",
  "organization-created": "C",
  "team-member-removed": "U",
  "team-member-added": "U",
  "grant-renewed": "U",
};

const identifier = (kind: keyof typeof system, value: string): fhir4.Reference => ({ identifier: { system: system[kind], value } });

/** An audit event as a FHIR R4 AuditEvent: who (agent), what (entity), when (recorded), how it went (outcome). */
export function auditEventResource(entry: TrailEntry, subjectId: string): fhir4.AuditEvent {
  const entities: fhir4.AuditEventEntity[] = [
    { what: identifier("user", subjectId), type: { system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "1", display: "Person" } },
    ...[...(entry.recordId ? [entry.recordId] : []), ...(entry.recordIds ?? [])].map((recordId) => ({
      what: identifier("record", recordId),
      type: { system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "2", display: "System Object" },
    })),
    ...(entry.grantId
      ? [
          {
            what: identifier("grant", entry.grantId),
            type: { system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "2", display: "System Object" },
          },
        ]
      : []),
  ];
  return {
    resourceType: "AuditEvent",
    id: `audit-${subjectId}-${entry.seq}`,
    type: authenticationActions.has(entry.action)
      ? { system: dicom, code: "110114", display: "User Authentication" }
      : administrativeActions.has(entry.action)
        ? { system: dicom, code: "110137", display: "User Security Attributes Changed" }
        : entry.action === "records-exported"
          ? { system: dicom, code: "110106", display: "Export" }
          : { system: dicom, code: "110110", display: "Patient Record" },
    subtype: [{ system: system.action, code: entry.action }],
    action: crud[entry.action] ?? "E",
    // A counted event: the attempts happened over this period; how many is said in outcomeDesc (digits as in the data, whatever the browser's language).
    ...(entry.count && entry.windowStart && entry.windowEnd
      ? {
          period: { start: entry.windowStart, end: entry.windowEnd },
          outcomeDesc: `${entry.count} ${pluralOf(entry.count, entry.action === "records-imported" ? "record" : "attempt")}`,
        }
      : {}),
    recorded: entry.occurredAt,
    outcome: entry.outcome === "success" ? "0" : entry.outcome === "denied" ? "4" : "8",
    agent: [
      entry.actorId
        ? { who: { ...identifier("user", entry.actorId), display: entry.actorName }, requestor: true }
        : // No account: someone holding a link (by the name they gave), someone unknown who asked for it
          // (a failed sign-in), or the app's own doing (an expiry).
          { who: { display: entry.recipient ?? actorNameOf(entry, subjectId, {}) }, requestor: byOthers(entry, subjectId) },
    ],
    source: {
      observer: { display: "Health Safe Cloud" },
      type: [{ system: "http://terminology.hl7.org/CodeSystem/security-source-type", code: "4", display: "Application Server" }],
    },
    entity: entities,
  };
}

/** A grant as a FHIR R4 Consent: this patient permits this clinician to access (and, with contribute, to add to) these records, for this period. */
export function consentResource(grant: GrantEntry, patientId: string, now: Date): fhir4.Consent {
  const ended = grant.revokedAt !== null || (grant.expiresAt !== null && new Date(grant.expiresAt) <= now);
  const end = grant.revokedAt ?? grant.expiresAt;
  return {
    resourceType: "Consent",
    id: grant.id,
    status: ended ? "inactive" : "active",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy", display: "Privacy Consent" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }] }],
    patient: identifier("user", patientId),
    dateTime: grant.createdAt,
    performer: [identifier("user", patientId)],
    policyRule: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "OPTIN", display: "opt-in" }] },
    provision: {
      type: "permit",
      period: { start: grant.createdAt, ...(end ? { end } : {}) },
      actor: [
        {
          role: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "PRCP", display: "primary information recipient" }] },
          reference: { ...identifier("user", grant.clinicianId), display: grant.clinicianName },
        },
      ],
      action: [
        { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentaction", code: "access", display: "Access" }] },
        ...(grant.permission === "contribute"
          ? [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentaction", code: "correct", display: "Access and Correct" }] }]
          : []),
      ],
      ...(grant.scope === "records" ? { data: grant.recordIds.map((recordId) => ({ meaning: "instance", reference: identifier("record", recordId) })) } : {}),
    },
  };
}

/** The trail and the grants as one collection Bundle. */
export function buildAuditBundle(trail: TrailEntry[], grants: GrantEntry[], subjectId: string, now: Date): fhir4.Bundle<fhir4.AuditEvent | fhir4.Consent> {
  const resources: Array<fhir4.AuditEvent | fhir4.Consent> = [
    ...trail.map((entry) => auditEventResource(entry, subjectId)),
    ...grants.map((grant) => consentResource(grant, subjectId, now)),
  ];
  return {
    resourceType: "Bundle",
    type: "collection",
    timestamp: now.toISOString(),
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource })),
  };
}
