import type { Metadata } from "next";
import Link from "next/link";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create an account" };

/** `?enrol=admin` opens administrator enrolment; it offers the role, only the operator's token grants it. */
export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ enrol?: string | string[] }> }) {
  const { enrol } = await searchParams;
  return (
    <section className="narrow" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">Create an account</h1>
      <p>
        You will sign in with a passkey on this device: no password to remember or leak. Your encryption keys are made here, in your browser, and never leave it
        unencrypted.
      </p>
      <SignUpForm offerAdmin={enrol === "admin"} />
      <p>
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}
