import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { EmergencyCardView } from "./emergency-card-view";

export const metadata: Metadata = { title: "Emergency card" };

export default async function EmergencyCardPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="emergency-card-title" className="emergency-card-page">
      <h1 id="emergency-card-title">Emergency card</h1>
      {session.role === "patient" ? <EmergencyCardView /> : <p>Only patients make an emergency card of their own records.</p>}
    </section>
  );
}
