CREATE TABLE "care_team_key_seals" (
	"team_id" uuid NOT NULL,
	"key_version" integer NOT NULL,
	"user_id" uuid NOT NULL,
	"sealed_key" "bytea" NOT NULL,
	CONSTRAINT "care_team_key_seals_team_id_key_version_user_id_pk" PRIMARY KEY("team_id","key_version","user_id")
);
--> statement-breakpoint
CREATE TABLE "care_team_keys" (
	"team_id" uuid NOT NULL,
	"key_version" integer NOT NULL,
	"public_key" "bytea" NOT NULL,
	"maker_id" uuid NOT NULL,
	"signed_at" bigint NOT NULL,
	"signature" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "care_team_keys_team_id_key_version_pk" PRIMARY KEY("team_id","key_version")
);
--> statement-breakpoint
CREATE TABLE "care_team_members" (
	"team_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "care_team_members_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "care_teams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"key_version" integer NOT NULL,
	"needs_new_key" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organization_admins" (
	"organization_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "organization_admins_organization_id_user_id_pk" PRIMARY KEY("organization_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "grants" ALTER COLUMN "clinician_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "team_id" uuid;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "team_key_version" integer;--> statement-breakpoint
ALTER TABLE "care_team_key_seals" ADD CONSTRAINT "care_team_key_seals_team_id_care_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."care_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_team_key_seals" ADD CONSTRAINT "care_team_key_seals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_team_keys" ADD CONSTRAINT "care_team_keys_team_id_care_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."care_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_team_keys" ADD CONSTRAINT "care_team_keys_maker_id_users_id_fk" FOREIGN KEY ("maker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_team_members" ADD CONSTRAINT "care_team_members_team_id_care_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."care_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_team_members" ADD CONSTRAINT "care_team_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_teams" ADD CONSTRAINT "care_teams_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_admins" ADD CONSTRAINT "organization_admins_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_admins" ADD CONSTRAINT "organization_admins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "care_team_key_seals_user_idx" ON "care_team_key_seals" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "care_team_members_user_idx" ON "care_team_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "care_teams_organization_idx" ON "care_teams" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "organization_admins_user_idx" ON "organization_admins" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_team_id_care_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."care_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "grants_team_idx" ON "grants" USING btree ("team_id");--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_one_grantee_check" CHECK (("grants"."clinician_id" is not null and "grants"."team_id" is null and "grants"."team_key_version" is null) or ("grants"."clinician_id" is null and "grants"."team_id" is not null and "grants"."team_key_version" is not null));