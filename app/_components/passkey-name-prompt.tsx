"use client";

import { useEffect, useRef, useState } from "react";
import { passkeyNameMaxLength, renameFailure, renamePasskey } from "@/client/account/security";
import { Field } from "./field";

/**
 * Offers to rename a passkey just made (added, or created at recovery), with the name the
 * server gave it filled in: the authenticator's model where known, else the browser's
 * description. Takes focus when shown; `onDone` gets the name kept.
 */
export function PasskeyNamePrompt({
  passkeyId,
  proposedName,
  onDone,
  headingLevel: Heading = "h2",
}: {
  passkeyId: string;
  proposedName: string;
  onDone: (name: string) => void;
  /** h3 where the prompt sits inside a section that has its own h2. */
  headingLevel?: "h2" | "h3";
}) {
  const [name, setName] = useState(proposedName);
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (name.trim() === proposedName) return onDone(proposedName);
    setSaving(true);
    setError(undefined);
    try {
      onDone(await renamePasskey(passkeyId, name));
    } catch (caught) {
      setError(renameFailure(caught));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card" aria-labelledby="passkey-name-title" data-testid="passkey-name-prompt">
      <Heading id="passkey-name-title" tabIndex={-1} ref={heading}>
        Name your new passkey
      </Heading>
      <p>Your new passkey is saved as “{proposedName}”. Give it a name you will recognise in your list of passkeys, such as the device or key it is on.</p>
      <form onSubmit={save} noValidate aria-busy={saving}>
        <Field
          id="new-passkey-name"
          label="Passkey name"
          autoComplete="off"
          maxLength={passkeyNameMaxLength}
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            setError(undefined);
          }}
          error={error}
        />
        <div className="actions">
          <button type="submit" className="button" disabled={saving}>
            Save name
          </button>
          <button type="button" className="button button-secondary" disabled={saving} onClick={() => onDone(proposedName)}>
            Keep “{proposedName}”
          </button>
        </div>
      </form>
    </section>
  );
}
