"use client";

import { useEffect, useRef, useState, type RefObject } from "react";
import { describeFailure } from "@/client/failures";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { httpTransport } from "@/client/transport/api";
import { downloadDecryptedFile, type FileReference, type TransferProgress } from "@/client/records/files";
import { formatProgress } from "@/client/format";
import { PdfPreview } from "./pdf-preview";

const previewable = /^(image\/(png|jpeg|gif|webp)|application\/pdf)$/;

/**
 * Decrypts a file in the browser, then shows it (images, PDFs) or saves it. Images load
 * from a blob: URL into an <img>, which never runs script; PDFs are painted by pdf.js.
 * `accessEnded` is what to say when the server refuses the file because access to it ended
 * (a clinician's share revoked or past its end date); damage is said only for failed checks.
 */
export function FileViewer({
  file,
  name,
  type,
  accessEnded = "This file is no longer stored under this version of the record. Reload the page to see the current one.",
}: {
  file: FileReference;
  name: string;
  type: string;
  accessEnded?: string;
}) {
  const [progress, setProgress] = useState<TransferProgress | null>(null);
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const [pdf, setPdf] = useState<Blob | null>(null);
  const [error, setError] = useState<string>();
  const showButton = useRef<HTMLButtonElement>(null);
  const shown = Boolean(previewUrl || pdf);

  // The blob: URL is revoked by the effect above when it changes.
  function hide() {
    setPreviewUrl(null);
    setPdf(null);
  }

  useEffect(
    () => () => {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
    },
    [previewUrl],
  );

  async function decrypt(): Promise<Blob | null> {
    setError(undefined);
    try {
      setProgress({ doneBytes: 0, totalBytes: file.size, retrying: false });
      return await downloadDecryptedFile(file, previewable.test(type) ? type : "application/octet-stream", setProgress, httpTransport);
    } catch (caught) {
      setError(
        describeFailure(caught, {
          accessEnded,
          integrity: "This file could not be decrypted: it was altered or damaged after it was saved.",
          unreachable: "The file could not be downloaded: Health Safe Cloud could not be reached. Check your connection and try again.",
        }),
      );
      return null;
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="file-viewer">
      <div className="actions">
        <button
          type="button"
          className="button button-small"
          onClick={async () => {
            const blob = await decrypt();
            if (!blob) return;
            const url = URL.createObjectURL(blob);
            const link = document.createElement("a");
            link.href = url;
            link.download = name;
            link.click();
            setTimeout(() => URL.revokeObjectURL(url), 60_000);
          }}
        >
          Download decrypted
        </button>
        {previewable.test(type) && (
          <button
            ref={showButton}
            type="button"
            className="button button-small button-secondary"
            aria-expanded={shown}
            onClick={async () => {
              if (shown) return hide();
              const blob = await decrypt();
              if (!blob) return;
              if (type === "application/pdf") setPdf(blob);
              else setPreviewUrl(URL.createObjectURL(blob));
            }}
          >
            {shown ? "Hide preview" : "Show"}
          </button>
        )}
      </div>
      {progress && (
        <div className="transfer">
          <label htmlFor="download-progress">Downloading and decrypting…</label>
          <progress id="download-progress" max={Math.max(1, progress.totalBytes)} value={progress.doneBytes} />
          <span>{formatProgress(progress.doneBytes, progress.totalBytes)}</span>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {shown && (
        <Preview name={name} opener={showButton}>
          {pdf && <PdfPreview blob={pdf} name={name} />}
          {previewUrl && (
            // eslint-disable-next-line @next/next/no-img-element
            <img className="file-preview" src={previewUrl} alt={`Preview of ${name}`} />
          )}
        </Preview>
      )}
    </div>
  );
}

/** The opened preview: takes focus when shown, gives it back to the Show button when hidden. */
function Preview({ name, opener, children }: { name: string; opener: RefObject<HTMLElement | null>; children: React.ReactNode }) {
  const heading = usePanelFocus(opener);
  return (
    <div className="file-preview-panel">
      <h4 ref={heading} tabIndex={-1} className="panel-title">
        Preview of {name}
      </h4>
      {children}
    </div>
  );
}
