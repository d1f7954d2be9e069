"use client";

import { useState } from "react";
import { today } from "@/client/format";
import { downloadBlob } from "@/client/records/download";
import type { PatientSummary } from "@/client/summary/patient-summary";
import { SummaryFontError } from "@/client/summary/summary-fonts";

/**
 * Print (the browser's own dialog, which the print CSS limits to the summary) and Download
 * PDF (made in this browser by buildSummaryPdf, never on the server).
 */
export function SummaryActions({ summary, fileName }: { summary: PatientSummary; fileName: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function download() {
    if (busy) return;
    setError(undefined);
    setBusy(true);
    try {
      // pdf-lib and the font load only when a PDF is asked for.
      const { buildSummaryPdf } = await import("@/client/summary/summary-pdf");
      const bytes = await buildSummaryPdf(summary);
      await downloadBlob(`${fileName}-${today()}.pdf`, new Blob([bytes.slice()], { type: "application/pdf" }));
    } catch (caught) {
      // The font is fetched from this app: offline or missing, said so; anything else is a bug.
      if (!(caught instanceof SummaryFontError)) throw caught;
      setError("The PDF could not be made: its font did not load. Check your connection and try again, or use Print.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="summary-no-print">
      <div className="actions">
        <button type="button" className="button" onClick={() => window.print()}>
          Print
        </button>
        {/* aria-disabled, not disabled: a disabled button drops keyboard focus to the page's body. */}
        <button type="button" className="button button-secondary" onClick={download} aria-disabled={busy}>
          {busy ? "Making the PDF…" : "Download PDF"}
        </button>
      </div>
      <p role="status" aria-live="polite" className="visually-hidden">
        {busy ? "Making the PDF…" : ""}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
