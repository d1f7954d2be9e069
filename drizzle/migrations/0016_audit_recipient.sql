ALTER TABLE "audit_events" ADD COLUMN "recipient" text;--> statement-breakpoint
ALTER TABLE "audit_inbox" ADD COLUMN "recipient" text;