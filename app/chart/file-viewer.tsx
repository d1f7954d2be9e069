"use client";

import { useEffect, useRef, useState, type RefObject } from "react";
import { describeFailure } from "@/client/failures";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { httpTransport } from "@/client/transport/api";
import { downloadDecryptedFile, streamDecryptedFile, type FileReference, type TransferProgress } from "@/client/records/files";
import { canSaveToDisk, downloadBlob, saveToDisk, saveToDiskFromBytes } from "@/client/records/download";
import { openStreamedDownload, prepareStreamedDownloads, type StreamedDownload } from "@/client/records/streamed-download";
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

  // The download worker registers now, so that it is active by the time Download is pressed.
  useEffect(() => void prepareStreamedDownloads(), []);

  const cancel = useRef<AbortController | null>(null);
  const [message, setMessage] = useState<string>();
  const running = useRef(false);
  const [busy, setBusy] = useState(false);

  /**
   * Runs one download or preview at a time: a press while one runs is ignored (it fetched and
   * decrypted the file again, into a second download). The buttons stay focusable and say they
   * are unavailable (aria-disabled), so focus is not lost while the transfer runs.
   */
  async function exclusively(action: () => Promise<unknown>) {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      await action();
    } finally {
      running.current = false;
      setBusy(false);
    }
  }

  /** Runs a download with progress and a Cancel button; says what went wrong, or returns null when cancelled or failed. */
  async function transfer<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
    setError(undefined);
    setMessage(undefined);
    const controller = new AbortController();
    cancel.current = controller;
    try {
      setProgress({ doneBytes: 0, totalBytes: file.size, retrying: false });
      return await run(controller.signal);
    } catch (caught) {
      if (caught instanceof DOMException && caught.name === "AbortError") {
        setMessage("The download was cancelled.");
        return null;
      }
      setError(
        describeFailure(caught, {
          accessEnded,
          integrity: "This file could not be decrypted: it was altered or damaged after it was saved.",
          unreachable: "The file could not be downloaded: Health Safe Cloud could not be reached. Check your connection and try again.",
        }),
      );
      return null;
    } finally {
      cancel.current = null;
      setProgress(null);
    }
  }

  const decrypt = () =>
    transfer((signal) => downloadDecryptedFile(file, previewable.test(type) ? type : "application/octet-stream", setProgress, httpTransport, signal));

  /**
   * Saves the file as it decrypts, holding a few chunks in the page whatever its size: a large
   * file goes to a file on disk where the browser offers a save dialog; otherwise the download
   * service worker streams it to the browser's downloads (`openStreamedDownload`). A file that
   * fails its checks midway is discarded from the disk, or its download fails in the browser.
   * Where the worker is not there (no service workers, not yet active), through a Blob
   * (`blobSink`: the page holds up to 64 MiB, the browser's blob storage the rest).
   */
  async function save() {
    if (file.size >= saveToDiskFromBytes && canSaveToDisk()) {
      const disk = await saveToDisk(name, null);
      if (!disk) return;
      return saveStreamed((signal) => streamDecryptedFile(file, disk, setProgress, httpTransport, signal), disk);
    }
    const streamed = await openStreamedDownload(name, file.size);
    if (streamed) {
      return saveStreamed((signal) => streamDecryptedFile(file, streamed, setProgress, httpTransport, AbortSignal.any([signal, streamed.cancelled])), {
        close: () => streamed.close(),
        abort: async () => streamed.abort(),
      });
    }
    const done = await transfer(async (signal) => {
      await downloadBlob(name, await downloadDecryptedFile(file, "application/octet-stream", setProgress, httpTransport, signal));
      return true;
    });
    if (done) setMessage(`${name} was decrypted and saved.`);
  }

  /** Runs a download into `sink` as a transfer: closed when it all decrypted and verified, aborted (discarded) when not. */
  async function saveStreamed(run: (signal: AbortSignal) => Promise<void>, sink: Pick<StreamedDownload, "close"> & { abort(): Promise<void> }) {
    const done = await transfer(async (signal) => {
      try {
        await run(signal);
        await sink.close();
        return true;
      } catch (caught) {
        await sink.abort();
        throw caught;
      }
    });
    if (done) setMessage(`${name} was decrypted and saved.`);
  }

  return (
    <div className="file-viewer">
      <div className="actions">
        <button type="button" className="button button-small" aria-disabled={busy || undefined} onClick={() => exclusively(save)}>
          Download decrypted
        </button>
        {previewable.test(type) && (
          <button
            ref={showButton}
            type="button"
            className="button button-small button-secondary"
            aria-expanded={shown}
            aria-disabled={busy || undefined}
            onClick={() => {
              if (shown) return hide();
              return exclusively(async () => {
                const blob = await decrypt();
                if (!blob) return;
                if (type === "application/pdf") setPdf(blob);
                else setPreviewUrl(URL.createObjectURL(blob));
              });
            }}
          >
            {shown ? "Hide preview" : "Show"}
          </button>
        )}
      </div>
      {progress && (
        <div className="transfer">
          <label htmlFor="download-progress">Downloading and decrypting…</label>
          <progress
            id="download-progress"
            data-testid="download-progress"
            data-done-bytes={progress.doneBytes}
            data-total-bytes={progress.totalBytes}
            max={Math.max(1, progress.totalBytes)}
            value={progress.doneBytes}
          />
          <span>
            {formatProgress(progress.doneBytes, progress.totalBytes)} (
            {progress.totalBytes > 0 ? Math.floor((progress.doneBytes / progress.totalBytes) * 100) : 0}%)
          </span>
          <button type="button" className="button button-small button-secondary" onClick={() => cancel.current?.abort()}>
            Cancel download
          </button>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {message && (
        <p className="progress-text" role="status">
          {message}
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
