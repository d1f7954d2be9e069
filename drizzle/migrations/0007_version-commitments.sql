-- Versions written before commitments have none: their signatures (over ciphertext digests) no longer verify, and browsers refuse them.
ALTER TABLE "record_versions" ADD COLUMN "commitment" "bytea" DEFAULT '\x'::bytea NOT NULL;--> statement-breakpoint
ALTER TABLE "record_versions" ALTER COLUMN "commitment" DROP DEFAULT;
