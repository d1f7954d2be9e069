import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { ChartView } from "./chart-view";

export const metadata: Metadata = { title: "My records" };

export default async function ChartPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="chart-title">
      <h1 id="chart-title">My records</h1>
      {session.role === "patient" ? (
        <ChartView />
      ) : (
        <p>
          {session.role === "admin"
            ? "Administrators do not keep a chart and never see anyone's records."
            : "Clinicians do not keep a chart of their own here. Patients share their records with you."}
        </p>
      )}
    </section>
  );
}
