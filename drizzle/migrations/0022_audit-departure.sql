-- Hand-written: leaving (lib/accounts/account-deletion.ts). The audit trail stays append-only,
-- with one exception: the transaction deleting an account, having copied that account's own
-- trail to departed_audit_events, names the account in the transaction-local setting
-- hsc.departing_subject and may then delete that account's events, and no one else's.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.subject_id::text = current_setting('hsc.departing_subject', true) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
