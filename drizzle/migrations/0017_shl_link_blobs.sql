ALTER TABLE "shl_links" ADD COLUMN "blob_id" uuid;--> statement-breakpoint
ALTER TABLE "shl_links" ADD CONSTRAINT "shl_links_blob_id_blobs_id_fk" FOREIGN KEY ("blob_id") REFERENCES "public"."blobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shl_links_blob_idx" ON "shl_links" USING btree ("blob_id");--> statement-breakpoint
ALTER TABLE "shl_links" DROP COLUMN "jwe";