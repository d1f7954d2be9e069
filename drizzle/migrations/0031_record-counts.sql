CREATE TABLE "record_counts" (
	"owner_id" uuid PRIMARY KEY NOT NULL,
	"records" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "record_counts" ADD CONSTRAINT "record_counts_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Each patient's record count, kept by the database whichever code path writes records: in the
-- writing transaction, once per statement (an import's commit adds thousands in one). A
-- concurrent writer for the same patient waits on the row, then adds to what the first wrote.
CREATE FUNCTION record_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO record_counts (owner_id, records)
    SELECT owner_id, count(*) FROM added GROUP BY owner_id
  ON CONFLICT (owner_id) DO UPDATE SET records = record_counts.records + excluded.records;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION record_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE record_counts c SET records = c.records - r.n
    FROM (SELECT owner_id, count(*) AS n FROM removed GROUP BY owner_id) r
    WHERE c.owner_id = r.owner_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION record_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_counts;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A record never changes owner; were one moved, both counts would go wrong, so it is refused.
CREATE FUNCTION records_owner_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a record keeps its owner' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER records_counted_on_insert AFTER INSERT ON "records" REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION record_counts_added();
--> statement-breakpoint
CREATE TRIGGER records_counted_on_delete AFTER DELETE ON "records" REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION record_counts_removed();
--> statement-breakpoint
CREATE TRIGGER records_counted_on_truncate AFTER TRUNCATE ON "records" FOR EACH STATEMENT EXECUTE FUNCTION record_counts_truncated();
--> statement-breakpoint
CREATE TRIGGER records_owner_never_changes BEFORE UPDATE OF owner_id ON "records" FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION records_owner_fixed();
--> statement-breakpoint
-- The charts already stored, counted once (in the migration's transaction, before any new write counts).
INSERT INTO record_counts (owner_id, records) SELECT owner_id, count(*) FROM records GROUP BY owner_id;
