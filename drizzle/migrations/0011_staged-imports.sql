CREATE TABLE "import_grant_wraps" (
	"record_id" uuid NOT NULL,
	"grant_id" uuid NOT NULL,
	"wrapped_key" "bytea" NOT NULL,
	CONSTRAINT "import_grant_wraps_record_id_grant_id_pk" PRIMARY KEY("record_id","grant_id")
);
--> statement-breakpoint
CREATE TABLE "import_records" (
	"record_id" uuid PRIMARY KEY NOT NULL,
	"import_id" uuid NOT NULL,
	"owner_wrap" "bytea" NOT NULL,
	"content_ciphertext" "bytea" NOT NULL,
	"padded_size" bigint NOT NULL,
	"commitment" "bytea" NOT NULL,
	"signature" "bytea" NOT NULL,
	"blob_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"touched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"committed_at" timestamp with time zone,
	"committed_count" integer
);
--> statement-breakpoint
ALTER TABLE "import_grant_wraps" ADD CONSTRAINT "import_grant_wraps_record_id_import_records_record_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."import_records"("record_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_grant_wraps" ADD CONSTRAINT "import_grant_wraps_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_records" ADD CONSTRAINT "import_records_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_records" ADD CONSTRAINT "import_records_blob_id_blobs_id_fk" FOREIGN KEY ("blob_id") REFERENCES "public"."blobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_records_import_idx" ON "import_records" USING btree ("import_id");--> statement-breakpoint
CREATE INDEX "import_records_blob_idx" ON "import_records" USING btree ("blob_id");--> statement-breakpoint
CREATE INDEX "imports_owner_idx" ON "imports" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "imports_touched_idx" ON "imports" USING btree ("touched_at");