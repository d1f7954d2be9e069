CREATE TABLE "emergency_contacts" (
	"grant_id" uuid PRIMARY KEY NOT NULL,
	"patient_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"wait_seconds" integer NOT NULL,
	"sealed_choice" "bytea" NOT NULL,
	"requested_at" timestamp with time zone,
	"opens_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	"refused_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "emergency_contacts" ADD CONSTRAINT "emergency_contacts_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_contacts" ADD CONSTRAINT "emergency_contacts_patient_id_users_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_contacts" ADD CONSTRAINT "emergency_contacts_contact_id_users_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "emergency_contacts_patient_idx" ON "emergency_contacts" USING btree ("patient_id");--> statement-breakpoint
CREATE INDEX "emergency_contacts_contact_idx" ON "emergency_contacts" USING btree ("contact_id");