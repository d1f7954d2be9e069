ALTER TABLE "grants" ADD COLUMN "share_key_team_version" integer;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "renews_grant_id" uuid;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "renewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_renews_grant_id_grants_id_fk" FOREIGN KEY ("renews_grant_id") REFERENCES "public"."grants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "grants_renews_grant_idx" ON "grants" USING btree ("renews_grant_id");--> statement-breakpoint
-- Team grants made before this column: when their share key was made is not known, so it is taken as version 1 (the
-- safe side): a grant to a team that has lost a member since is renewed once by its patient's browser.
UPDATE "grants" SET "share_key_team_version" = 1 WHERE "team_id" IS NOT NULL;
