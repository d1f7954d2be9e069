import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { NoticeSettingsSection } from "./notice-settings-section";
import { NoticesView } from "./notices-view";

export const metadata: Metadata = { title: "Notices" };

export default async function NoticesPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section className="narrow" aria-labelledby="notices-title">
      <h1 id="notices-title">Notices</h1>
      <NoticesView role={session.role} />
      <NoticeSettingsSection role={session.role} />
    </section>
  );
}
