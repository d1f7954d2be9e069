"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { describeFailure } from "@/client/failures";
import { ApiError } from "@/client/transport/api";
import { unlockedVault } from "@/client/keystore/vault-store";
import { formatDateTime } from "@/client/format";
import { PasskeyNamePrompt } from "@/app/_components/passkey-name-prompt";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { addPasskey, listPasskeys, passkeyNameMaxLength, removePasskey, renameFailure, renamePasskey, type PasskeySummary } from "@/client/account/security";

const when = (iso: string | null) => (iso ? formatDateTime(iso) : "never");

function PasskeyRow({ passkey, onlyOne, onChanged }: { passkey: PasskeySummary; onlyOne: boolean; onChanged: (message: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [error, setError] = useState<string>();
  const [removing, setRemoving] = useState(false);
  return (
    <li className="list-row" data-testid="passkey-row">
      {editing ? (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            try {
              const saved = await renamePasskey(passkey.id, name);
              setEditing(false);
              setError(undefined);
              onChanged(`Renamed to “${saved}”.`);
            } catch (caught) {
              setError(renameFailure(caught));
            }
          }}
          noValidate
        >
          <label htmlFor={`rename-${passkey.id}`}>New name</label>
          <input
            id={`rename-${passkey.id}`}
            value={name}
            maxLength={passkeyNameMaxLength}
            autoComplete="off"
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              setName(event.target.value);
              setError(undefined);
            }}
          />
          <div className="row-actions">
            <button type="submit" className="button button-small">
              Save
            </button>
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() => {
                setEditing(false);
                setName(passkey.name);
                setError(undefined);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div>
          <strong>{passkey.name}</strong>
          <p className="hint">
            Added {when(passkey.createdAt)} · {passkey.lastUsedAt ? `last used to sign in ${when(passkey.lastUsedAt)}` : "not used to sign in yet"} ·{" "}
            {passkey.prfCapable ? "unlocks your vault by itself" : "unlocks your vault only on the device it was added on"}
          </p>
        </div>
      )}
      <div className="row-actions">
        {!editing && (
          <button type="button" className="button button-small button-secondary" onClick={() => setEditing(true)} aria-label={`Rename ${passkey.name}`}>
            Rename
          </button>
        )}
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={onlyOne || removing}
          title={onlyOne ? "Add another passkey before removing your only one." : undefined}
          aria-label={`Remove ${passkey.name}`}
          aria-describedby={removing ? `removing-${passkey.id}` : undefined}
          onClick={async () => {
            if (
              !window.confirm(
                `Remove the passkey “${passkey.name}”? It will no longer sign you in. Removing asks for a passkey tap if you have not used one in the last few minutes.`,
              )
            )
              return;
            setRemoving(true);
            setError(undefined);
            try {
              await removePasskey(passkey.id);
              onChanged(`Removed ${passkey.name}.`);
            } catch (caught) {
              setError(caught instanceof ApiError || caught instanceof FreshProofNotGivenError ? caught.message : "Could not remove it.");
            } finally {
              setRemoving(false);
            }
          }}
        >
          Remove
        </button>
      </div>
      {removing && (
        <p id={`removing-${passkey.id}`} role="status" className="progress-text">
          Removing… if your passkey asks, confirm with it.
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** Why adding a passkey failed, in words: the browser's refusals by name (WebAuthn §5.1.3: InvalidStateError when this authenticator already holds one of the account's passkeys). */
function addFailure(caught: unknown): string {
  if (caught instanceof ApiError) return caught.message;
  if (caught instanceof Error && caught.name === "InvalidStateError")
    return "This device or security key already holds a passkey for your account. Add one on another device or security key.";
  if (caught instanceof Error && caught.name === "NotAllowedError")
    return "The passkey was not added (the prompt was cancelled or timed out). You can try again.";
  return "The passkey was not added. You can try again.";
}

export function PasskeysSection() {
  const [passkeys, setPasskeys] = useState<PasskeySummary[] | null>(null);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<{ id: string; name: string } | null>(null);

  const refresh = useCallback(async () => {
    try {
      setPasskeys((await listPasskeys()).passkeys);
    } catch (caught) {
      // A programming error is rethrown by describeFailure, never worded as an outage.
      setError(
        `Your passkeys could not be loaded: ${describeFailure(caught, { accessEnded: "you were signed out.", integrity: "the list could not be verified." })}`,
      );
    }
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
  }, [refresh]);

  // After a change (a removed row is gone) the focus goes to what happened, not to the top of the page.
  const statusRef = useRef<HTMLParagraphElement>(null);
  const changed = (text: string) => {
    setMessage(text);
    statusRef.current?.focus();
    void refresh();
  };

  return (
    <section className="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p className="hint">Any of these signs you in. Keep at least two, on different devices, so losing one does not lock you out.</p>
      {passkeys === null ? (
        <p role="status">Loading…</p>
      ) : (
        <ul className="list">
          {passkeys.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} onlyOne={passkeys.length === 1} onChanged={changed} />
          ))}
        </ul>
      )}
      {added && (
        <PasskeyNamePrompt
          key={added.id}
          headingLevel="h3"
          passkeyId={added.id}
          proposedName={added.name}
          onDone={(name) => {
            setAdded(null);
            changed(`Passkey added as “${name}”.`);
          }}
        />
      )}
      <button
        type="button"
        className="button"
        disabled={adding || added !== null}
        onClick={async () => {
          setAdding(true);
          setError(undefined);
          try {
            const passkey = await addPasskey(unlockedVault());
            setMessage(undefined);
            setAdded(passkey);
            void refresh();
          } catch (caught) {
            setError(addFailure(caught));
          } finally {
            setAdding(false);
          }
        }}
      >
        Add a passkey
      </button>
      <p ref={statusRef} tabIndex={-1} role="status" aria-live="polite" className="progress-text">
        {adding ? "Follow your browser's prompt…" : message}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
