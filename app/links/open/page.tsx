import type { Metadata } from "next";
import { currentSession } from "@/lib/sessions/current-session";
import { OpenLinkView } from "./open-link-view";

export const metadata: Metadata = { title: "Open a SMART Health Link" };

/** Anyone may open a link here, signed in or not; the role only adds the import (patient) or the way back to shared charts (clinician). */
export default async function OpenLinkPage() {
  const session = await currentSession();
  const viewer = session?.role === "patient" ? "patient" : session?.role === "doctor" || session?.role === "nurse" ? "clinician" : "anyone";
  return (
    <section aria-labelledby="open-link-title">
      <h1 id="open-link-title">Open a SMART Health Link</h1>
      <OpenLinkView viewer={viewer} />
    </section>
  );
}
