"use client";

import { useState } from "react";
import { RecoveryKeyStep } from "@/app/_components/recovery-key-step";
import { regenerateRecoveryKey } from "@/lib/client/security";

export function RecoverySection() {
  const [newKey, setNewKey] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string>();

  if (newKey) {
    return <RecoveryKeyStep recoveryKey={newKey} onConfirmed={() => { setNewKey(null); setDone(true); }} />;
  }
  return (
    <section className="card" aria-labelledby="recovery-section-title">
      <h2 id="recovery-section-title">Recovery key</h2>
      <p className="hint">
        Make a new recovery key if you think someone has seen yours. The old one stops working at once.
      </p>
      <button
        type="button"
        className="button button-secondary"
        onClick={async () => {
          if (!window.confirm("Make a new recovery key? Your current one will stop working.")) return;
          setError(undefined);
          try {
            setNewKey(await regenerateRecoveryKey());
          } catch {
            setError("A new recovery key could not be made. Your current one still works.");
          }
        }}
      >
        Make a new recovery key
      </button>
      {done && <p role="status">Your new recovery key is active.</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
