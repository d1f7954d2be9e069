ALTER TABLE "shl_links" ADD COLUMN "guess_window_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shl_links" ADD COLUMN "guesses_in_window" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Live emergency cards made before this rule could be stopped by 10 wrong passcodes: they now get the long-term allowance (slowed per window, never used up before expiry). The flag is compared as text: on a new database the value LP was added earlier in this same transaction (0023), where PostgreSQL refuses to use it as an enum value.
UPDATE "shl_links" SET "remaining_attempts" = 10000 WHERE "flag"::text = 'LP' AND "disabled_at" IS NULL AND "revoked_at" IS NULL;
