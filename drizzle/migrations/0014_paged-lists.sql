DROP INDEX "record_key_wraps_grant_idx";--> statement-breakpoint
DROP INDEX "records_owner_idx";--> statement-breakpoint
CREATE INDEX "record_key_wraps_grant_record_idx" ON "record_key_wraps" USING btree ("grant_id","record_id");--> statement-breakpoint
CREATE INDEX "records_owner_created_idx" ON "records" USING btree ("owner_id","created_at","id");