-- audit_events.patient_id holds clinicians too: it is the person whose trail the event belongs to.
-- A rename keeps every row and hash; the chain index follows the column by itself, so only the
-- foreign key's name changes (no index rebuild, no re-check of the rows).
ALTER TABLE "audit_events" RENAME COLUMN "patient_id" TO "subject_id";--> statement-breakpoint
ALTER TABLE "audit_events" RENAME CONSTRAINT "audit_events_patient_id_users_id_fk" TO "audit_events_subject_id_users_id_fk";
