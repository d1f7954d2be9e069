"use client";

import { useMemo, useState } from "react";
import { Field } from "./field";

/**
 * Shows the recovery key once and asks for one group of it back before going on, so a
 * person cannot click past it without having saved it somewhere.
 */
export function RecoveryKeyStep({ recoveryKey, onConfirmed }: { recoveryKey: string; onConfirmed: () => void }) {
  const groups = recoveryKey.split("-");
  // Which group to ask for follows from the key itself: different for each person, stable across renders.
  const askedIndex = useMemo(() => {
    const spread = [...recoveryKey].reduce((sum, character) => sum + character.charCodeAt(0), 0);
    return 1 + (spread % Math.max(1, groups.length - 2));
  }, [recoveryKey, groups.length]);
  const [answer, setAnswer] = useState("");
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);

  function download() {
    const text = `Health Safe Cloud recovery key\n\n${recoveryKey}\n\nKeep this somewhere safe and private. With it you can get back into your account if you lose every passkey. Anyone who has it and can sign in as you can read your records.\n`;
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "health-safe-cloud-recovery-key.txt";
    link.click();
    URL.revokeObjectURL(url);
  }

  async function copy() {
    await navigator.clipboard.writeText(recoveryKey);
    setCopied(true);
  }

  function confirm(event: React.FormEvent) {
    event.preventDefault();
    if (answer.trim().toUpperCase() !== groups[askedIndex]) {
      setError(`That is not group ${askedIndex + 1}. Check the key you saved and try again.`);
      return;
    }
    onConfirmed();
  }

  return (
    <section aria-labelledby="recovery-title" className="card">
      <h2 id="recovery-title" tabIndex={-1}>
        Save your recovery key
      </h2>
      <p>
        This key is the only way back into your account if you lose every passkey. We cannot recover it for you: we never see it. It is shown only this once.
      </p>
      <p className="recovery-key" data-testid="recovery-key" aria-label="Recovery key">
        {recoveryKey}
      </p>
      <div className="actions">
        <button type="button" className="button button-secondary" onClick={download}>
          Download as a file
        </button>
        <button type="button" className="button button-secondary" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="button button-secondary" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <form onSubmit={confirm} noValidate>
        <Field
          id="recovery-confirm"
          label={`To check you saved it, type group ${askedIndex + 1} of the key (counting from the left)`}
          autoComplete="off"
          spellCheck={false}
          value={answer}
          onChange={(event) => {
            setAnswer(event.target.value);
            setError(undefined);
          }}
          error={error}
        />
        <button type="submit" className="button">
          I have saved it — continue
        </button>
      </form>
    </section>
  );
}
