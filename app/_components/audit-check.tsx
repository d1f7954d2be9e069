"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { loadTrail } from "@/lib/client/audit";
import { useVault } from "@/lib/client/vault-store";

/**
 * On every visit with an unlocked vault, checks the person's audit trail against the head
 * their browser verified last time (and remembers the new head), so a tampered history is
 * flagged wherever they are, not only on the history page.
 */
export function AuditCheck() {
  const userId = useVault((state) => (state.vault.status === "unlocked" ? state.vault.userId : null));
  const [tampered, setTampered] = useState(false);

  useEffect(() => {
    if (!userId) return;
    let cancelled = false;
    loadTrail().then(
      (view) => !cancelled && setTampered(view.status === "tampered"),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [userId]);

  if (!tampered) return null;
  return (
    <div className="integrity-warning" role="alert" data-testid="audit-banner">
      <strong>Your access history does not check out.</strong> Events were changed or removed after they were written. <Link href="/history">See what was found</Link>.
    </div>
  );
}
