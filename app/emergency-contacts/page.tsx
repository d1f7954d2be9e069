import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { EmergencyContactsView } from "./emergency-contacts-view";

export const metadata: Metadata = { title: "Emergency contacts" };

export default async function EmergencyContactsPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="emergency-contacts-title">
      <h1 id="emergency-contacts-title">Emergency contacts</h1>
      {session.role === "admin" ? <p>Administrators cannot be emergency contacts.</p> : <EmergencyContactsView patient={session.role === "patient"} />}
    </section>
  );
}
