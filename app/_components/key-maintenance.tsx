"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { describeFailure } from "@/client/failures";
import { runKeyMaintenance, type MaintenanceProgress } from "@/client/sharing/key-maintenance";
import { httpTransport } from "@/client/transport/api";
import { isStillOpen, useVault } from "@/client/keystore/vault-store";
import { refreshChartIfLoaded } from "@/client/records/chart-store";

const requestEvent = "hsc:key-maintenance";

/** Asks the running page to catch up on key rotation and wraps now (after a revoke, say). */
export function requestKeyMaintenance() {
  window.dispatchEvent(new Event(requestEvent));
}

/**
 * Runs in the background on every page of a patient with an unlocked vault: re-encrypts
 * records under new keys after a revoke or an expiry, and wraps records for grants that
 * cover them, with a progress bar. What is left is kept on the server, so a reload or a
 * sign-out only pauses it.
 */
export function KeyMaintenance() {
  const ready = useVault((state) => state.vault.status === "unlocked" && state.vault.role === "patient");
  const [progress, setProgress] = useState<MaintenanceProgress | null>(null);
  const [summary, setSummary] = useState<string>();
  const running = useRef(false);
  const again = useRef(false);

  const run = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    try {
      do {
        again.current = false;
        const vault = useVault.getState().vault;
        if (vault.status !== "unlocked") break;
        const outcome = await runKeyMaintenance(vault, httpTransport, { onProgress: setProgress, stillOpen: () => isStillOpen(vault) });
        const renewed =
          outcome.renewed === 0
            ? ""
            : outcome.renewed === 1
              ? "1 share with a care team now uses a new key that the member who left never held. "
              : `${outcome.renewed} shares with care teams now use new keys that the members who left never held. `;
        const toCompare =
          outcome.toCompare === 0
            ? ""
            : `${outcome.toCompare === 1 ? "1 share with a care team waits" : `${outcome.toCompare} shares with care teams wait`} for you to compare the team's new key on the Sharing page. `;
        if ((renewed || toCompare) && outcome.rotated === 0) setSummary((renewed + toCompare).trim());
        if (outcome.rotated > 0) {
          // The chart this page holds points at files under the old keys, which rotation deleted.
          await refreshChartIfLoaded();
          setSummary(
            renewed +
              toCompare +
              (outcome.rotated === 1
                ? "1 record now uses a new key that no one whose access ended ever held."
                : `${outcome.rotated} records now use new keys that no one whose access ended ever held.`),
          );
        }
      } while (again.current);
    } catch (caught) {
      // A programming error is rethrown by describeFailure, never worded as an outage or as tampering.
      setSummary(
        describeFailure(caught, {
          accessEnded: "Some records could not be moved to new keys yet. This will be tried again on your next visit.",
          integrity: "Some records could not be verified, so they were not moved to new keys. They may have been altered on the server.",
          unreachable: "Some records could not be moved to new keys yet: Health Safe Cloud could not be reached. This will be tried again on your next visit.",
        }),
      );
    } finally {
      running.current = false;
      setProgress(null);
    }
  }, []);

  useEffect(() => {
    if (!ready) return;
    // State changes only after the first request resolves, never synchronously.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void run();
    const listener = () => void run();
    window.addEventListener(requestEvent, listener);
    return () => window.removeEventListener(requestEvent, listener);
  }, [ready, run]);

  if (!ready || (!progress && !summary)) return null;
  return (
    <div className="key-maintenance" role="status" aria-live="polite" data-testid="key-maintenance">
      {progress ? (
        <>
          <label htmlFor="key-maintenance-progress">
            Securing your records after a change in sharing: {progress.done} of {progress.total}
          </label>
          <progress id="key-maintenance-progress" max={Math.max(1, progress.total)} value={progress.done} />
        </>
      ) : (
        <p>{summary}</p>
      )}
    </div>
  );
}
