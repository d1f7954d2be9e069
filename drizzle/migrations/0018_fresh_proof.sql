ALTER TYPE "public"."challenge_ceremony" ADD VALUE 'fresh-proof';--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "verified_at" timestamp with time zone;