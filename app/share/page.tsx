import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { ShareView } from "./share-view";

export const metadata: Metadata = { title: "Sharing" };

export default async function SharePage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="share-page-title">
      <h1 id="share-page-title">Sharing</h1>
      {session.role === "patient" ? <ShareView /> : <p>Only patients share records.</p>}
    </section>
  );
}
