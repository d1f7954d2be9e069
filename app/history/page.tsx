import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { ClinicianHistory } from "./clinician-history";
import { PatientHistory } from "./patient-history";

export const metadata: Metadata = { title: "Access history" };

export default async function HistoryPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const clinician = session.role === "doctor" || session.role === "nurse";
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">{clinician ? "Your access history" : "Access history"}</h1>
      {clinician ? (
        <ClinicianHistory />
      ) : session.role === "patient" ? (
        <PatientHistory />
      ) : (
        <p>Access history is kept for patients&apos; records and clinicians&apos; access; an administrator has neither.</p>
      )}
    </section>
  );
}
