import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { OrganizationView } from "./organization-view";

export const metadata: Metadata = { title: "Organization" };

export default async function OrganizationPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="organization-title">
      <h1 id="organization-title">Organization</h1>
      <OrganizationView />
    </section>
  );
}
