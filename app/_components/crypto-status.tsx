"use client";

import { useEffect, useState } from "react";
import { runCryptoSelfTest } from "@/client/keystore/crypto-self-test";

type State = { kind: "loading" } | { kind: "ready"; elapsedMs: number } | { kind: "failed" };

/** Shows whether this browser can run the app's encryption; everything else depends on it. */
export function CryptoStatus() {
  const [state, setState] = useState<State>({ kind: "loading" });

  useEffect(() => {
    let cancelled = false;
    runCryptoSelfTest().then(
      ({ elapsedMs }) => !cancelled && setState({ kind: "ready", elapsedMs }),
      () => !cancelled && setState({ kind: "failed" }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <p className="status" data-testid="crypto-status" data-state={state.kind} role="status" aria-live="polite">
      {state.kind === "loading" && "Checking that this browser can encrypt your records…"}
      {state.kind === "ready" && `Encryption is ready in this browser (checked in ${state.elapsedMs} ms).`}
      {state.kind === "failed" &&
        "This browser could not start the encryption engine. Try an up-to-date browser, or turn off extensions that block WebAssembly."}
    </p>
  );
}
