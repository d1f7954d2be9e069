import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { BackupView } from "./backup-view";

export const metadata: Metadata = { title: "Backup" };

export default async function BackupPage({ searchParams }: { searchParams: Promise<{ then?: string | string[] }> }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  // Reached from "Download everything first" before deleting the account: the way back is offered.
  const fromLeaving = (await searchParams).then === "leave";
  return (
    <section aria-labelledby="backup-title">
      <h1 id="backup-title">Backup</h1>
      {fromLeaving && (
        <p data-testid="back-to-leaving">
          When your backup is saved, <Link href="/settings/security#delete-account">go back to deleting your account</Link>.
        </p>
      )}
      {session.role === "patient" ? (
        <BackupView />
      ) : (
        <p>A backup holds a patient&apos;s own records. Clinicians and administrators keep no chart here, so there is nothing to back up.</p>
      )}
    </section>
  );
}
