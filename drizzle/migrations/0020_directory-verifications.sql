CREATE TABLE "directory_verifications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"clinician_id" uuid NOT NULL,
	"admin_id" uuid NOT NULL,
	"action" text NOT NULL,
	"display_name" text NOT NULL,
	"specialty" text NOT NULL,
	"organization" text NOT NULL,
	"licence_number" text NOT NULL,
	"admin_name" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"signature" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_verifications_action_check" CHECK ("directory_verifications"."action" in ('verify', 'revoke'))
);
--> statement-breakpoint
ALTER TABLE "directory_verifications" ADD CONSTRAINT "directory_verifications_clinician_id_users_id_fk" FOREIGN KEY ("clinician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_verifications" ADD CONSTRAINT "directory_verifications_admin_id_users_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_verifications_clinician_idx" ON "directory_verifications" USING btree ("clinician_id","issued_at");