import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { SecuritySettings } from "./security-settings";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage() {
  if (!(await currentSession())) redirect("/sign-in");
  return (
    <section className="narrow" aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      <SecuritySettings />
    </section>
  );
}
