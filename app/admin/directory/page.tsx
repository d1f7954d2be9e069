import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { AdminDirectoryView } from "./admin-directory-view";

export const metadata: Metadata = { title: "Directory verification" };

export default async function AdminDirectoryPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="admin-directory-title">
      <h1 id="admin-directory-title">Directory verification</h1>
      {session.role === "admin" ? <AdminDirectoryView /> : <p>Only administrators verify directory entries.</p>}
    </section>
  );
}
