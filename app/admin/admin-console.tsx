"use client";

import Link from "next/link";
import { useCallback, useState } from "react";
import { OverviewSection } from "./overview-section";
import { AccountsSection } from "./accounts-section";
import { TrailSection } from "./trail-section";
import { OrganizationsSection } from "./organizations-section";

/**
 * The administration console: the deployment's figures and health, accounts to disable and
 * enable (each action asks for a passkey tap when the last one is more than a few minutes
 * old), and the administration trail, checked in this browser and exportable as FHIR.
 * `selfId` is the administrator's own id: their own account offers no "Disable".
 */
export function AdminConsole({ selfId }: { selfId: string }) {
  // Bumped after every action, so the figures and the trail show it.
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((was) => was + 1), []);
  return (
    <>
      <p className="lead">
        You operate this deployment. You see counts, health and the accounts&apos; ids and roles, never a record, what a patient wrote or who shares with whom.
      </p>
      <OverviewSection version={version} />
      <AccountsSection selfId={selfId} onChanged={changed} />
      <section aria-labelledby="admin-directory-title">
        <h2 id="admin-directory-title">Directory</h2>
        <p>
          <Link href="/admin/directory">Verify clinicians&apos; directory entries</Link>: sign that you checked a clinician&apos;s licence or registry number,
          or withdraw a verification. Patients&apos; browsers check your signature.
        </p>
      </section>
      <TrailSection version={version} />
      <OrganizationsSection onChanged={changed} />
    </>
  );
}
