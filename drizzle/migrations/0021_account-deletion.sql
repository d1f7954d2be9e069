CREATE TABLE "departed_audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trail_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"record_id" uuid,
	"grant_id" uuid,
	"record_ids" uuid[],
	"outcome" "audit_outcome" NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"count" integer,
	"window_start" timestamp with time zone,
	"window_end" timestamp with time zone,
	"recipient" text,
	"departed_at" timestamp with time zone NOT NULL,
	"keep_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "departed_audit_events_trail_idx" ON "departed_audit_events" USING btree ("trail_id","seq");--> statement-breakpoint
CREATE INDEX "departed_audit_events_keep_idx" ON "departed_audit_events" USING btree ("keep_until");