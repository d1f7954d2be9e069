CREATE TABLE "audit_inbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject_id" uuid NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"record_id" uuid,
	"grant_id" uuid,
	"record_ids" uuid[],
	"outcome" "audit_outcome" NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"count" integer,
	"window_start" timestamp with time zone,
	"window_end" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "audit_inbox_subject_idx" ON "audit_inbox" USING btree ("subject_id","id");