CREATE TYPE "public"."shl_access_outcome" AS ENUM('opened', 'wrong-passcode');--> statement-breakpoint
CREATE TYPE "public"."shl_link_flag" AS ENUM('U', 'P');--> statement-breakpoint
CREATE TABLE "shl_accesses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"link_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"recipient" text NOT NULL,
	"outcome" "shl_access_outcome" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shl_file_tokens" (
	"token_hash" "bytea" PRIMARY KEY NOT NULL,
	"link_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shl_links" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"shl_id" text NOT NULL,
	"flag" "shl_link_flag" NOT NULL,
	"passcode_hash" text,
	"remaining_attempts" integer,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"opens" integer DEFAULT 0 NOT NULL,
	"content_type" text NOT NULL,
	"jwe" "bytea",
	"jwe_size" integer NOT NULL,
	"sealed_label" "bytea" NOT NULL,
	CONSTRAINT "shl_links_remaining_check" CHECK ("shl_links"."remaining_attempts" is null or "shl_links"."remaining_attempts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "shl_accesses" ADD CONSTRAINT "shl_accesses_link_id_shl_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."shl_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shl_file_tokens" ADD CONSTRAINT "shl_file_tokens_link_id_shl_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."shl_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shl_links" ADD CONSTRAINT "shl_links_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shl_accesses_link_idx" ON "shl_accesses" USING btree ("link_id","at");--> statement-breakpoint
CREATE INDEX "shl_file_tokens_expires_idx" ON "shl_file_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shl_links_shl_id_idx" ON "shl_links" USING btree ("shl_id");--> statement-breakpoint
CREATE INDEX "shl_links_owner_idx" ON "shl_links" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "shl_links_expires_idx" ON "shl_links" USING btree ("expires_at");