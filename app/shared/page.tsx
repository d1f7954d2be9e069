import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { SharedView } from "./shared-view";

export const metadata: Metadata = { title: "Shared with me" };

export default async function SharedPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="shared-title">
      <h1 id="shared-title">Shared with me</h1>
      {session.role === "doctor" || session.role === "nurse" ? <SharedView /> : <p>Records shared with doctors and nurses appear here for them.</p>}
    </section>
  );
}
