"use client";

import { useEffect, useRef, useState } from "react";
import { describeFailure } from "@/client/failures";
import { RecoveryKeyStep } from "@/app/_components/recovery-key-step";
import { ApiError } from "@/client/transport/api";
import { unlockedVault } from "@/client/keystore/vault-store";
import { commitRecoveryKeyReplacement, prepareRecoveryKeyReplacement, type PreparedRecoveryKey } from "@/client/account/security";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";

type State =
  | { step: "idle"; message?: string; error?: string }
  | { step: "preparing" }
  | { step: "confirming"; prepared: PreparedRecoveryKey; error?: string }
  | { step: "saving"; prepared: PreparedRecoveryKey };

/**
 * Replacing the recovery key: the new key is made and shown here, in the browser, and sent
 * only once the person has typed part of it back. Until then the server knows nothing of
 * it, so leaving the page midway leaves the current key working.
 */
export function RecoverySection() {
  const [state, setState] = useState<State>({ step: "idle" });
  const pending = useRef<HTMLDivElement>(null);
  // A second confirmation while the first is being saved would only be refused (its "previous" key is gone).
  const committing = useRef(false);
  const showing = state.step === "confirming" || state.step === "saving";

  // Back from the new key's panel (saved, cancelled or failed), the focus goes to the outcome, not to the top of the page.
  const outcome = useRef<HTMLParagraphElement>(null);
  const wasShowing = useRef(false);
  useEffect(() => {
    if (showing) pending.current?.querySelector<HTMLElement>("h2")?.focus();
    else if (wasShowing.current) outcome.current?.focus();
    wasShowing.current = showing;
  }, [showing]);

  if (state.step === "confirming" || state.step === "saving") {
    const { prepared } = state;
    return (
      <div ref={pending} aria-busy={state.step === "saving"} data-testid="recovery-key-replacement">
        <p className="hint">Your current recovery key keeps working until you confirm below that you saved this new one. Saving it asks for your passkey.</p>
        {state.step === "confirming" && state.error && (
          <p className="form-error" role="alert">
            {state.error}
          </p>
        )}
        <RecoveryKeyStep
          recoveryKey={prepared.recoveryKeyText}
          onConfirmed={async () => {
            if (committing.current) return;
            committing.current = true;
            setState({ step: "saving", prepared });
            try {
              await commitRecoveryKeyReplacement(prepared);
              setState({ step: "idle", message: "Your new recovery key is active. The old one no longer works." });
            } catch (caught) {
              if (caught instanceof FreshProofNotGivenError) {
                // The key the person just wrote down stays on screen: one more tap saves it.
                setState({ step: "confirming", prepared, error: `${caught.message} Your current recovery key still works.` });
                return;
              }
              const reason = caught instanceof ApiError ? caught.message : "Your new recovery key could not be saved.";
              setState({ step: "idle", error: `${reason} Your current recovery key still works.` });
            } finally {
              committing.current = false;
            }
          }}
        />
        <button
          type="button"
          className="button button-secondary"
          disabled={state.step === "saving"}
          onClick={() => setState({ step: "idle", message: "No new recovery key was made. Your current one still works." })}
        >
          Cancel and keep my current key
        </button>
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby="recovery-section-title">
      <h2 id="recovery-section-title">Recovery key</h2>
      <p className="hint">
        Make a new recovery key if you think someone has seen yours, or you cannot find it. Your current key keeps working until you have saved the new one and
        typed part of it back; then only the new one works.
      </p>
      <button
        type="button"
        className="button button-secondary"
        disabled={state.step === "preparing"}
        onClick={async () => {
          setState({ step: "preparing" });
          try {
            setState({ step: "confirming", prepared: await prepareRecoveryKeyReplacement(unlockedVault()) });
          } catch (caught) {
            // A programming error is rethrown by describeFailure, never worded as tampering.
            const reason = describeFailure(caught, {
              accessEnded: "You were signed out.",
              integrity: "Your account's keys could not be verified.",
            });
            setState({ step: "idle", error: `A new recovery key could not be made: ${reason} Your current one still works.` });
          }
        }}
      >
        Make a new recovery key
      </button>
      <p ref={outcome} tabIndex={-1} role="status" aria-live="polite" className="progress-text">
        {state.step === "idle" ? state.message : ""}
      </p>
      {state.step === "idle" && state.error && (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      )}
    </section>
  );
}
