import type { Metadata } from "next";
import Link from "next/link";
import { SignInPanel } from "./sign-in-panel";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <section className="narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>Use the passkey you created when you opened your account. No user name or password is needed.</p>
      <SignInPanel />
      <p>
        New here? <Link href="/sign-up">Create an account</Link>. Lost every passkey? <Link href="/recover">Recover your account with your recovery key</Link>.
      </p>
    </section>
  );
}
