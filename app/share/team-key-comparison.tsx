"use client";

import { useEffect, useState } from "react";
import { describeFailure } from "@/client/failures";
import { useVault } from "@/client/keystore/vault-store";
import { renewalsToCompare, type RenewalToCompare } from "@/client/sharing/team-renewal";
import { confirmTeamKey } from "@/client/teams/team-key-pins";
import { httpTransport } from "@/client/transport/api";
import { requestKeyMaintenance } from "../_components/key-maintenance";

/**
 * The shares with care teams whose renewal after a member left waits for the patient: the
 * team's new key is certified by no administrator this browser trusts (a member made it), so
 * the browser seals nothing to it until the patient compares its safety code with a member of
 * the team or its organization's administrator. Confirming keeps the key in the vault and
 * starts the renewal at once. Loads once per `grantIds` (the shares awaiting renewal).
 */
export function useRenewalsToCompare(grantIds: string[]): { toCompare: Map<string, RenewalToCompare>; problem?: string; reload: () => void } {
  const [toCompare, setToCompare] = useState(new Map<string, RenewalToCompare>());
  const [problem, setProblem] = useState<string>();
  const [round, setRound] = useState(0);
  const key = grantIds.join(",");
  useEffect(() => {
    if (!key) return;
    const vault = useVault.getState().vault;
    if (vault.status !== "unlocked") return;
    let cancelled = false;
    renewalsToCompare(vault, httpTransport)
      .then((found) => {
        if (!cancelled) setToCompare(new Map(found.map((item) => [item.grantId, item])));
      })
      .catch((caught: unknown) => {
        if (!cancelled)
          setProblem(
            describeFailure(caught, {
              accessEnded: "The shares waiting for a new key could not be checked.",
              integrity: "A team's new key could not be verified, so the share waits. It may have been altered on the server.",
              unreachable: "The shares waiting for a new key could not be checked: Health Safe Cloud could not be reached.",
            }),
          );
      });
    return () => {
      cancelled = true;
    };
  }, [key, round]);
  return { toCompare, problem, reload: () => setRound((value) => value + 1) };
}

/** One share's comparison: the new key's safety code and the confirmation. */
export function TeamKeyComparison({ item, onConfirmed }: { item: RenewalToCompare; onConfirmed: () => void }) {
  const [busy, setBusy] = useState(false);
  const [compared, setCompared] = useState(false);
  const [problem, setProblem] = useState<string>();
  const codeId = `team-key-code-${item.grantId}`;
  return (
    <div data-testid="team-key-comparison">
      <p className="entry-unverified">
        {item.teamName} has a new key after a member left, and no administrator your browser trusts has certified it (
        {item.checked.verification.state === "unverified" ? item.checked.verification.reason : "unverified"}). Your browser gives the share a new key only once
        you compare this safety code with the one a member of the team or an administrator of {item.organizationName} sees:
      </p>
      <p className="safety-code" id={codeId} data-testid="renewal-safety-code">
        {item.checked.safetyCode.digits}
      </p>
      <label className="check-row">
        <input type="checkbox" checked={compared} onChange={(event) => setCompared(event.target.checked)} /> A member of {item.teamName} showed me this same
        code
      </label>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      <button
        type="button"
        className="button button-small"
        aria-describedby={codeId}
        disabled={busy || !compared}
        onClick={() => {
          const vault = useVault.getState().vault;
          if (vault.status !== "unlocked") return;
          setBusy(true);
          setProblem(undefined);
          confirmTeamKey(vault, item.teamId, item.checked.publicKey, httpTransport)
            .then(() => {
              requestKeyMaintenance();
              onConfirmed();
            })
            .catch((caught: unknown) =>
              setProblem(
                describeFailure(caught, {
                  accessEnded: "Not confirmed.",
                  integrity: "Not confirmed: your vault could not be verified.",
                  unreachable: "Not confirmed: Health Safe Cloud could not be reached. Please try again.",
                }),
              ),
            )
            .finally(() => setBusy(false));
        }}
      >
        The codes match: renew the share with {item.teamName}
      </button>
    </div>
  );
}
