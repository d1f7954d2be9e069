import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { AdminConsole } from "./admin-console";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      {session.role === "admin" ? <AdminConsole selfId={session.userId} /> : <p>Only administrators use the administration console.</p>}
    </section>
  );
}
