import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Account deleted" };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a deleted account's person lands (app/settings/security/leave-section.tsx): what happened, and the kept trail's reference. */
export default async function GoodbyePage({ searchParams }: { searchParams: Promise<{ trail?: string | string[] }> }) {
  const { trail } = await searchParams;
  const reference = typeof trail === "string" && uuidPattern.test(trail) ? trail : null;
  return (
    <section className="narrow" aria-labelledby="goodbye-title">
      <h1 id="goodbye-title">Your account was deleted</h1>
      <div className="card">
        <p>Your account and everything in it were deleted from Health Safe Cloud. Anyone you shared with can no longer open any of it.</p>
        {reference && (
          <p>
            The record of who opened what and when is kept for six years under this reference, without your account or any record content. Keep it if you may
            want to ask for that record later: <strong data-testid="trail-reference">{reference}</strong>
          </p>
        )}
        <p className="hint">Your passkey for this site is still on your device: you may remove it in your device&apos;s passkey settings.</p>
        <p>
          <Link href="/">Back to the start page</Link>
        </p>
      </div>
    </section>
  );
}
