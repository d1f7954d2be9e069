import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <section className="narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>You will sign in with the passkey you created at sign-up. Passkey sign-in is being finished and is not open yet.</p>
      <p>
        <Link href="/">Back to the home page</Link>
      </p>
    </section>
  );
}
