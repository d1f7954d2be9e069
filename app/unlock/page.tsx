import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { UnlockForm } from "./unlock-form";

export const metadata: Metadata = { title: "Unlock your vault" };

export default async function UnlockPage() {
  if (!(await currentSession())) redirect("/sign-in");
  return (
    <section className="narrow" aria-labelledby="unlock-title">
      <h1 id="unlock-title">Unlock your vault</h1>
      <p>
        You are signed in, but this passkey cannot unlock your encrypted vault on this device. Enter your recovery key once; this device will remember it
        afterwards.
      </p>
      <UnlockForm />
    </section>
  );
}
