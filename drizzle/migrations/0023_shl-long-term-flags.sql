ALTER TYPE "public"."shl_link_flag" ADD VALUE 'L';--> statement-breakpoint
ALTER TYPE "public"."shl_link_flag" ADD VALUE 'LP';