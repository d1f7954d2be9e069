import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { LinksView } from "./_components/links-view";

export const metadata: Metadata = { title: "Share by link" };

export default async function LinksPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <section aria-labelledby="links-title" className="links-page">
      <h1 id="links-title" className="links-no-print">
        Share by link
      </h1>
      {session.role === "patient" ? (
        <LinksView />
      ) : (
        <p>
          Only patients make links to their records. To open a link someone gave you, open it in this browser, or paste it or scan its QR code on{" "}
          <Link href="/links/open">Open a SMART Health Link</Link>.
        </p>
      )}
    </section>
  );
}
