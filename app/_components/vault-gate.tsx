"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { failureKind } from "@/client/failures";
import { ApiError } from "@/client/transport/api";
import { isRollback } from "@/client/keystore/rollback-guard";
import { signIn, unlockOnThisDevice } from "@/client/account/sign-in";
import { useVault } from "@/client/keystore/vault-store";

type GateState = "checking" | "locked" | "failed";

/**
 * Renders its children only with an unlocked vault. After a reload the keys are gone from
 * memory: this device's key unlocks silently; otherwise one passkey tap (PRF) does.
 */
export function VaultGate({ children }: { children: ReactNode }) {
  const router = useRouter();
  const status = useVault((state) => state.vault.status);
  const [gate, setGate] = useState<GateState>("checking");
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    if (status !== "locked") return;
    let cancelled = false;
    unlockOnThisDevice().then(
      (outcome) => !cancelled && outcome !== "unlocked" && setGate("locked"),
      (error: unknown) => {
        if (cancelled) return;
        if (error instanceof ApiError && error.status === 401) router.replace("/sign-in");
        else {
          if (isRollback(error)) setMessage(error.message);
          setGate("failed");
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [status, router]);

  if (status === "unlocked") return <>{children}</>;
  if (status === "signed-out") return null;
  if (gate === "checking") {
    return (
      <p role="status" className="progress-text">
        Unlocking your vault…
      </p>
    );
  }
  return (
    <section className="card" aria-labelledby="locked-title">
      <h2 id="locked-title">Your vault is locked</h2>
      <p>Your keys are kept only in memory and were cleared when the page reloaded. Unlock with your passkey to continue.</p>
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={async () => {
            try {
              const outcome = await signIn();
              if (outcome !== "unlocked") router.push("/unlock");
            } catch (caught) {
              // A cancelled prompt, a refusal, an outage or a vault that fails its checks: said plainly. A bug is reported.
              const expected =
                failureKind(caught) !== null || (caught instanceof DOMException && (caught.name === "NotAllowedError" || caught.name === "AbortError"));
              if (!expected) throw caught;
              setMessage(isRollback(caught) ? caught.message : "The passkey did not unlock your vault. Try again, or use your recovery key.");
            }
          }}
        >
          Unlock with passkey
        </button>
        <Link href="/unlock" className="button button-secondary">
          Use recovery key
        </Link>
      </div>
      {gate === "failed" && !message && <p className="form-error">Your vault could not be checked. Please reload the page.</p>}
      {message && (
        <p className="form-error" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}
