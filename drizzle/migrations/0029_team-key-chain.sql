CREATE TABLE "organization_admin_statements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"organization_name" text NOT NULL,
	"admin_id" uuid NOT NULL,
	"admin_identity_public_key" "bytea" NOT NULL,
	"signer_id" uuid NOT NULL,
	"signer_name" text NOT NULL,
	"issued_at" bigint NOT NULL,
	"signature" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "care_team_keys" DROP CONSTRAINT "care_team_keys_maker_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "care_team_keys" ADD COLUMN "maker_identity_public_key" "bytea";--> statement-breakpoint
ALTER TABLE "care_team_keys" ADD COLUMN "chain_statement_id" uuid;--> statement-breakpoint
ALTER TABLE "organization_admin_statements" ADD CONSTRAINT "organization_admin_statements_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "organization_admin_statements_admin_idx" ON "organization_admin_statements" USING btree ("organization_id","admin_id");--> statement-breakpoint
ALTER TABLE "care_team_keys" ADD CONSTRAINT "care_team_keys_chain_statement_id_organization_admin_statements_id_fk" FOREIGN KEY ("chain_statement_id") REFERENCES "public"."organization_admin_statements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Versions made before this migration keep their maker's identity key from now on (their maker's current key certificate).
UPDATE "care_team_keys" k SET "maker_identity_public_key" = (
	SELECT c."identity_public_key" FROM "key_certificates" c
	WHERE c."user_id" = k."maker_id" AND c."superseded_at" IS NULL
	ORDER BY c."created_at" DESC LIMIT 1
);
