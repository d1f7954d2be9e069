import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { BackupView } from "./backup-view";

export const metadata: Metadata = { title: "Backup" };

export default async function BackupPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="backup-title">
      <h1 id="backup-title">Backup</h1>
      {session.role === "patient" ? (
        <BackupView />
      ) : (
        <p>A backup holds a patient&apos;s own records. Clinicians and administrators keep no chart here, so there is nothing to back up.</p>
      )}
    </section>
  );
}
