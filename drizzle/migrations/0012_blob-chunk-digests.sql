ALTER TABLE "blob_chunks" ALTER COLUMN "data" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "blob_chunks" ADD COLUMN "size" integer;--> statement-breakpoint
ALTER TABLE "blob_chunks" ADD COLUMN "digest" "bytea";--> statement-breakpoint
-- Chunks stored before this migration keep their bytes in "data" (read from there, moved out by the sweeper); their size and digest are computed once here.
UPDATE "blob_chunks" SET "size" = octet_length("data"), "digest" = sha256("data");--> statement-breakpoint
ALTER TABLE "blob_chunks" ALTER COLUMN "size" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "blob_chunks" ALTER COLUMN "digest" SET NOT NULL;
