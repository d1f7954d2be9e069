"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ApiError } from "@/client/transport/api";
import { isRollback } from "@/client/keystore/rollback-guard";
import { SignInClaim, SignInSupersededError, signIn } from "@/client/account/sign-in";

function describeFailure(error: unknown): string {
  if (error instanceof ApiError || isRollback(error)) return error.message;
  if (error instanceof Error && error.name === "NotAllowedError") return "Sign-in was cancelled or timed out. You can try again.";
  return "That passkey could not sign you in. Please try again.";
}

export function SignInPanel() {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const autofillStarted = useRef(false);
  // The autofill and the button can both get a passkey's answer: the first one signs in.
  const [claim] = useState(() => new SignInClaim());

  async function finish(autofill: boolean) {
    setError(undefined);
    setBusy(!autofill);
    try {
      // Once a passkey has answered, the button must not start a second sign-in.
      const outcome = await signIn({ autofill, onAsserted: () => setBusy(true), claim });
      router.push(outcome === "unlocked" ? "/home" : "/unlock");
      router.refresh();
    } catch (caught) {
      // An autofill request is abandoned when the person presses the button instead; a sign-in that
      // came second leaves the page to the first.
      if (caught instanceof SignInSupersededError) return;
      setBusy(false);
      if (!(autofill && caught instanceof Error && caught.name === "AbortError")) setError(describeFailure(caught));
    }
  }

  useEffect(() => {
    // Conditional UI: the browser offers saved passkeys in the field's autofill.
    if (autofillStarted.current) return;
    autofillStarted.current = true;
    void (async () => {
      const available = await PublicKeyCredential.isConditionalMediationAvailable?.().catch((error: unknown) => {
        // The browser's own refusal (a DOMException) means no autofill; anything else is a bug.
        if (!(error instanceof DOMException)) throw error;
        return false;
      });
      if (available) await finish(true);
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="card">
      <div className="field">
        <label htmlFor="passkey-username">Saved passkeys</label>
        <p id="passkey-username-hint" className="hint">
          Your browser may list your passkeys when you select this field.
        </p>
        <input id="passkey-username" autoComplete="username webauthn" aria-describedby="passkey-username-hint" />
      </div>
      <button type="button" className="button" onClick={() => finish(false)} disabled={busy} aria-busy={busy}>
        Sign in with a passkey
      </button>
      <p role="status" aria-live="polite" className="progress-text">
        {busy ? "Follow your browser's prompt…" : ""}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
