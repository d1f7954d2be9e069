import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { SummaryView } from "./summary-view";

export const metadata: Metadata = { title: "Patient summary" };

export default async function SummaryPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const clinician = session.role === "doctor" || session.role === "nurse";
  return (
    <section aria-labelledby="summary-title" className="summary-page">
      <h1 id="summary-title" className="summary-no-print">
        Patient summary
      </h1>
      {session.role === "patient" ? (
        <SummaryView />
      ) : clinician ? (
        <p>
          A patient&apos;s summary is on <Link href="/shared">Shared with me</Link>, beside the records they share with you.
        </p>
      ) : (
        <p>Administrators do not keep a chart and never see anyone&apos;s records.</p>
      )}
    </section>
  );
}
