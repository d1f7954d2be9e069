import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { SharedSummaryView } from "./shared-summary-view";

export const metadata: Metadata = { title: "Patient summary" };

export default async function SharedSummaryPage({ params }: { params: Promise<{ grantId: string }> }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const { grantId } = await params;
  return (
    <section aria-labelledby="summary-title" className="summary-page">
      <h1 id="summary-title" className="summary-no-print">
        Patient summary
      </h1>
      {session.role === "doctor" || session.role === "nurse" ? (
        <SharedSummaryView grantId={grantId} />
      ) : (
        <p>Summaries of shared records are for the doctors and nurses they are shared with.</p>
      )}
    </section>
  );
}
