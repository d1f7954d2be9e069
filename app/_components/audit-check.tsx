"use client";

import Link from "next/link";
import { useEffect } from "react";
import { checkTrail, useTrail } from "@/client/audit/trail-store";
import { failureKind } from "@/client/failures";
import { unlockedVault, useVault } from "@/client/keystore/vault-store";

/**
 * On every visit with an unlocked vault, checks that the person's audit trail extends the
 * head their browser verified last time, fetching only what is new (and remembers the new
 * head), so a tampered history is flagged wherever they are, not only on the history page.
 * A page of the history that fails its check raises the same flag; what was verified is kept
 * (client/audit/trail-store.ts) for the history page.
 */
export function AuditCheck() {
  const userId = useVault((state) => (state.vault.status === "unlocked" ? state.vault.userId : null));
  const tampered = useTrail((state) => state.tampered !== null);

  useEffect(() => {
    if (!userId) return;
    checkTrail(unlockedVault()).catch((error: unknown) => {
      // A check that could not run (offline, signed out meanwhile) proves nothing either way; a programming error is reported.
      if (failureKind(error) === null)
        setTimeout(() => {
          throw error;
        });
    });
  }, [userId]);

  if (!tampered) return null;
  return (
    <div className="integrity-warning" role="alert" data-testid="audit-banner">
      <strong>Your access history does not check out.</strong> Events were changed or removed after they were written.{" "}
      <Link href="/history">See what was found</Link>.
    </div>
  );
}
