"use client";

import { useState } from "react";
import { StatusLines } from "@/app/_components/status-lines";
import { useSwapFocus } from "@/app/_components/use-swap-focus";
import { VaultGate } from "@/app/_components/vault-gate";
import { describeFailure } from "@/client/failures";
import { ImportError } from "@/client/fhir";
import { countOf } from "@/client/format";
import { importableBundle, type LinkContent } from "@/client/links/open-content";
import { reviewLinkImport, saveLinkImport, type LinkImportReview } from "@/client/links/open-import";
import { unlockedVault } from "@/client/keystore/vault-store";
import { loadedChart, refreshChartIfLoaded } from "@/client/records/chart-store";
import { ImportNotSavedError, ImportOutcomeUnknownError } from "@/client/records/import-records";
import { httpTransport } from "@/client/transport/api";

/** For a signed-in patient: the link's records into their own chart, through the chart's FHIR import (duplicates found and skipped). */
export function LinkImport({ contents }: { contents: LinkContent[] }) {
  const bundle = importableBundle(contents);
  if (!bundle) return null;
  return (
    <section className="card" aria-labelledby="link-import-title">
      <h2 id="link-import-title">Import into my chart</h2>
      <VaultGate>
        <ImportSteps bundle={bundle} />
      </VaultGate>
    </section>
  );
}

function ImportSteps({ bundle }: { bundle: Record<string, unknown> }) {
  const [review, setReview] = useState<LinkImportReview | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  // The button pressed goes away with the step it starts: focus moves to the plan's first line, and back to
  // "Import into my chart" once the plan is saved or cancelled.
  const { inside: planLine, opener: startButton } = useSwapFocus<HTMLParagraphElement, HTMLButtonElement>(review !== null);

  async function check() {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setStatus("Comparing with your chart…");
    try {
      const chart = (await loadedChart()).flatMap((entry) => (entry.status === "ok" ? [entry] : []));
      setReview(await reviewLinkImport(bundle, chart));
      setStatus(undefined);
    } catch (caught) {
      setStatus(undefined);
      setError(
        caught instanceof ImportError
          ? caught.message
          : describeFailure(caught, { accessEnded: "Please try again.", integrity: "Your chart could not be verified." }),
      );
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    if (!review || busy) return;
    setBusy(true);
    setError(undefined);
    setStatus("Saving to your chart…");
    try {
      const result = await saveLinkImport(review, unlockedVault(), httpTransport);
      setReview(null);
      await refreshChartIfLoaded();
      setStatus(`Imported ${countOf(result.created, "record")} into your chart.`);
    } catch (caught) {
      setStatus(undefined);
      if (caught instanceof ImportOutcomeUnknownError) setError(caught.message);
      else {
        const reason = describeFailure(caught instanceof ImportNotSavedError ? caught.reason : caught, {
          accessEnded: "Please try again.",
          integrity: "A file of the import could not be checked.",
        });
        setError(`The import failed and nothing was saved. ${reason}`);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {!review && (
        <div className="actions">
          <button type="button" className="button" onClick={check} aria-disabled={busy} ref={startButton}>
            Import into my chart
          </button>
        </div>
      )}
      {review && (
        <div data-testid="link-import-plan">
          <p ref={planLine} tabIndex={-1}>
            {review.fresh > 0 ? `Ready to import ${countOf(review.fresh, "record")}.` : "Nothing new to import."}
          </p>
          {review.already > 0 && (
            <p data-testid="link-import-already">
              {countOf(review.already, "record")} {review.already === 1 ? "is" : "are"} already in your chart and will be skipped.
            </p>
          )}
          {review.notImportable.length > 0 && <p>{countOf(review.notImportable.length, "record")} cannot be imported.</p>}
          <div className="actions">
            <button type="button" className="button" onClick={save} disabled={review.fresh === 0} aria-disabled={busy}>
              Import {countOf(review.fresh, "record")}
            </button>
            <button type="button" className="button button-secondary" onClick={() => !busy && setReview(null)} aria-disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <StatusLines message={status} error={error} className="progress-text" />
    </>
  );
}
