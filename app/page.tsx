import Link from "next/link";
import { CryptoStatus } from "./_components/crypto-status";

export default function HomePage() {
  return (
    <>
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Your health records, readable only by you and the people you choose.</h1>
        <p className="lead">
          Health Safe Cloud encrypts your records in this browser before they leave it. You decide which doctors and nurses can open which records, you see
          every time they do, and you can take access back at any moment. Our servers keep only encrypted data and cannot read it.
        </p>
        <div className="actions">
          <Link href="/sign-up" className="button">
            Create an account
          </Link>
          <Link href="/sign-in" className="button button-secondary">
            Sign in with a passkey
          </Link>
        </div>
        <CryptoStatus />
      </section>
      <section className="features" aria-label="How it works">
        <article>
          <h2>Encrypted before upload</h2>
          <p>Every record gets its own key, created on your device. The server stores ciphertext it cannot open.</p>
        </article>
        <article>
          <h2>Shared record by record</h2>
          <p>Grant a clinician the records they need, read-only or with permission to add notes, until a date you set.</p>
        </article>
        <article>
          <h2>Every access on record</h2>
          <p>A tamper-evident history shows who opened what, and when. Revoke access from one dashboard.</p>
        </article>
        <article>
          <h2>No passwords</h2>
          <p>Sign in with a passkey on your phone or computer. A recovery key you keep yourself brings you back in.</p>
        </article>
      </section>
    </>
  );
}
