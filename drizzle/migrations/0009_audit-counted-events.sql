CREATE TABLE "audit_pending_counts" (
	"subject_id" uuid NOT NULL,
	"actor_key" text NOT NULL,
	"action" text NOT NULL,
	"outcome" "audit_outcome" NOT NULL,
	"record_id" uuid,
	"grant_id" uuid,
	"several_targets" boolean DEFAULT false NOT NULL,
	"count" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	CONSTRAINT "audit_pending_counts_subject_id_actor_key_action_pk" PRIMARY KEY("subject_id","actor_key","action")
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "count" integer;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "window_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "window_end" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_pending_counts" ADD CONSTRAINT "audit_pending_counts_subject_id_users_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;