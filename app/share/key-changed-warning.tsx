"use client";

import { useEffect, useState } from "react";
import { unlockedVault } from "@/client/keystore/vault-store";
import { failureKind } from "@/client/failures";
import { formatDay } from "@/client/format";
import { httpTransport } from "@/client/transport/api";
import { certifiedKeys, pinContact, type CertifiedKeys, type KeyChangedError } from "@/client/sharing/contacts";

/**
 * Shown when the server presents keys for a pinned clinician that differ from the pinned
 * ones. Sharing with them stays blocked until the patient compares the new safety code
 * with the clinician and accepts the new keys. The notice centre shows it too, with the keys
 * its check already fetched (`served`: null when they carry no valid certificate) and, for
 * someone not in the directory, `who` ("your contact").
 */
export function KeyChangedWarning({
  error,
  onReverified,
  onDismiss,
  served,
  who = "this clinician",
}: {
  error: KeyChangedError;
  onReverified: () => void;
  onDismiss: () => void;
  served?: CertifiedKeys | null;
  who?: string;
}) {
  const [fetched, setFetched] = useState<CertifiedKeys | null>(null);
  const [compared, setCompared] = useState(false);
  const [fetchFailed, setFetchFailed] = useState(false);
  useEffect(() => {
    if (served !== undefined) return;
    certifiedKeys(error.userId, httpTransport).then(setFetched, (caught: unknown) => {
      // Keys that cannot be fetched or verified cannot be compared; a bug is not one of those.
      if (failureKind(caught) === null) throw caught;
      setFetchFailed(true);
    });
  }, [error.userId, served]);
  const keys = served === undefined ? fetched : served;
  const failed = served === undefined ? fetchFailed : served === null;
  const name = keys?.directory?.displayName ?? who;

  return (
    <section className="card integrity-warning" role="alert" aria-labelledby="key-changed-title" data-testid="key-changed-warning">
      <h2 id="key-changed-title">The keys of {name} have changed</h2>
      <p>
        When you first shared with {name} on {formatDay(error.pinned.pinnedAt)}, your app remembered their keys. The server now presents different ones. Sharing
        with {name} is stopped.
      </p>
      <p>
        This happens when someone sets up their account again on a new device, but it is also what an attack on your records would look like. Nothing new has
        been shared. What you already shared stays as it was.
      </p>
      <p>To go on, meet {name} or call them, ask them to open Shared with me in their app, and compare the safety code they see with this one:</p>
      {keys && (
        <p className="safety-code" data-testid="changed-safety-code">
          {keys.safetyCode.digits}
        </p>
      )}
      {failed && <p>The new keys do not even carry a valid certificate: do not share with this account.</p>}
      <label className="check-row">
        <input type="checkbox" checked={compared} onChange={(event) => setCompared(event.target.checked)} disabled={!keys} /> {name} showed me this same code
      </label>
      <div className="actions">
        <button
          type="button"
          className="button button-small"
          disabled={!keys || !compared}
          onClick={async () => {
            if (!keys) return;
            await pinContact(unlockedVault(), keys, true);
            onReverified();
          }}
        >
          Trust the new keys
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onDismiss}>
          Not now
        </button>
      </div>
    </section>
  );
}
