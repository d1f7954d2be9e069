"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { confirmsDeletion, deleteOwnAccount, deletionPhrase } from "@/client/account/leave";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { describeFailure } from "@/client/failures";
import { unlockedVault, useVault } from "@/client/keystore/vault-store";

/**
 * Leaving: deleting the account and everything in it, after the offer to download everything
 * first. The typed phrase guards against a slip; the server's fresh proof (a passkey tap) against
 * someone else at an open session.
 */
export function LeaveSection() {
  const router = useRouter();
  const role = useVault((state) => (state.vault.status === "unlocked" ? state.vault.role : null));
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string>();
  const [typedWrong, setTypedWrong] = useState(false);
  const [busy, setBusy] = useState(false);
  const patient = role === "patient";
  return (
    <section className="card" id="delete-account" aria-labelledby="leave-title">
      <h2 id="leave-title">Delete your account</h2>
      <p>
        {patient
          ? "This deletes your records (every version), your files, your shares and links, your passkeys and your encrypted vault, for good. Clinicians you shared with lose access at once."
          : "This deletes your account, your passkeys, your encrypted vault and your directory entry, for good. Patients' shares with you end at once."}
      </p>
      <p className="hint">
        A record of who opened what and when is kept for six years, as the law requires, under a reference number instead of your account. It holds no record
        content.
      </p>
      {patient && (
        <p>
          <Link href="/backup?then=leave">Download everything first</Link> — a backup of all your records and files that you can keep or bring elsewhere.
        </p>
      )}
      <form
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          if (!confirmsDeletion(typed)) {
            setError(`Type “${deletionPhrase}” to confirm.`);
            setTypedWrong(true);
            return;
          }
          setBusy(true);
          setError(undefined);
          try {
            const { trailId } = await deleteOwnAccount(unlockedVault());
            router.push(`/goodbye?trail=${encodeURIComponent(trailId)}`);
            // The layout (menu, notice badge) was rendered for a signed-in person: render it again, signed out.
            router.refresh();
          } catch (caught) {
            setError(
              caught instanceof FreshProofNotGivenError
                ? caught.message
                : describeFailure(caught, {
                    accessEnded: "You are no longer signed in to this account. Sign in again to delete it.",
                    integrity: "Nothing was deleted.",
                  }),
            );
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="leave-confirm">To confirm, type “{deletionPhrase}”</label>
          <input
            id="leave-confirm"
            value={typed}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            aria-invalid={typedWrong ? true : undefined}
            aria-describedby={typedWrong ? "leave-error" : undefined}
            onChange={(event) => {
              setTyped(event.target.value);
              setError(undefined);
              setTypedWrong(false);
            }}
          />
          {typedWrong && error && (
            <p id="leave-error" role="alert" className="form-error">
              {error}
            </p>
          )}
        </div>
        {/* A refused passkey tap or a server refusal is not the typing's fault: said below, the box left as it is. */}
        {!typedWrong && error && (
          <p role="alert" className="form-error" data-testid="leave-failure">
            {error}
          </p>
        )}
        <button type="submit" className="button button-danger" disabled={busy}>
          {busy ? "Deleting…" : "Delete my account"}
        </button>
      </form>
    </section>
  );
}
