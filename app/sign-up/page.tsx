import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <section className="narrow" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">Create an account</h1>
      <p>
        Accounts are opened with a passkey: no password to remember or leak. Passkey sign-up is being finished and is
        not open yet.
      </p>
      <p>
        <Link href="/">Back to the home page</Link>
      </p>
    </section>
  );
}
