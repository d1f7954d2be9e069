CREATE TABLE "grant_exclusions" (
	"grant_id" uuid NOT NULL,
	"record_id" uuid NOT NULL,
	CONSTRAINT "grant_exclusions_grant_id_record_id_pk" PRIMARY KEY("grant_id","record_id")
);
--> statement-breakpoint
CREATE TABLE "key_rotations" (
	"record_id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "last_opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "grant_exclusions" ADD CONSTRAINT "grant_exclusions_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grant_exclusions" ADD CONSTRAINT "grant_exclusions_record_id_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_rotations" ADD CONSTRAINT "key_rotations_record_id_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_rotations" ADD CONSTRAINT "key_rotations_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "key_rotations_owner_idx" ON "key_rotations" USING btree ("owner_id");