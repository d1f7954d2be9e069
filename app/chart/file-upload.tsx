"use client";

import { useEffect, useRef, useState } from "react";
import { uploadEncryptedFile, type FileReference, type TransferProgress } from "@/client/records/files";
import { bestEffort, browserUploads, resumeUpload, savingJournal, type SavedUpload } from "@/client/records/upload-resume";
import { formatBytes, formatProgress } from "@/client/format";
import { createRecords } from "@/client/records/records";
import { useChart } from "@/client/records/chart-store";
import { unlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { describeFailure } from "@/client/failures";
import { StatusLines } from "@/app/_components/status-lines";

/** IndexedDB where the browser has it; an upload that cannot be kept resumable still goes on. */
const uploads = bestEffort(browserUploads);

const isCancel = (caught: unknown) => caught instanceof DOMException && caught.name === "AbortError";

/** The file record a finished upload becomes. */
async function saveFileRecord(recordId: string, reference: FileReference, file: { name: string; type: string; size: number }) {
  await createRecords(
    [
      {
        recordId,
        v: 1,
        kind: "document",
        file: reference,
        resource: {
          resourceType: "DocumentReference",
          id: crypto.randomUUID(),
          status: "current",
          date: new Date().toISOString(),
          content: [{ attachment: { contentType: file.type || "application/octet-stream", title: file.name, size: file.size } }],
        },
      },
    ],
    unlockedVault(),
    httpTransport,
  );
}

/**
 * Encrypts a file in the browser while uploading it (streaming, a few chunks in flight), with
 * progress and a Cancel button, and files it as a record. An upload cut off by a reload is
 * offered again ("Resume upload of …"): the person picks the same file and only what the
 * server lacks is sent. The progress bar carries `data-done-bytes` and `data-total-bytes`
 * (and the status line "… was encrypted and saved.") for scripts timing an upload.
 */
export function FileUpload() {
  const reload = useChart((state) => state.reload);
  const [progress, setProgress] = useState<TransferProgress | null>(null);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [interrupted, setInterrupted] = useState<SavedUpload[]>([]);
  const [resuming, setResuming] = useState<SavedUpload | null>(null);
  // A transfer under way, cancelled or not: the pickers stay disabled until it has ended.
  const [active, setActive] = useState(false);
  const cancel = useRef<AbortController | null>(null);
  const resumeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    void uploads.list(unlockedVault().userId).then((found) => {
      if (live) setInterrupted(found.sort((a, b) => a.startedAt - b.startedAt));
    });
    return () => {
      live = false;
    };
  }, []);

  // Chunks already in flight report their progress after a Cancel: the bar is gone by then and stays gone.
  const progressUntil = (signal: AbortSignal) => (next: TransferProgress) => {
    if (!signal.aborted) setProgress(next);
  };

  async function transfer(name: string, run: (signal: AbortSignal) => Promise<void>) {
    setError(undefined);
    setMessage(undefined);
    const controller = new AbortController();
    cancel.current = controller;
    setActive(true);
    try {
      await run(controller.signal);
      await reload();
      setMessage(`${name} was encrypted and saved.`);
    } catch (caught) {
      if (isCancel(caught)) setMessage(`The upload of ${name} was cancelled. Nothing was saved.`);
      else
        setError(
          describeFailure(caught, {
            accessEnded: "The file was not saved. Please try again.",
            integrity: "The file was not saved. Please try again.",
          }),
        );
    } finally {
      cancel.current = null;
      setProgress(null);
      setActive(false);
    }
  }

  async function upload(file: File | undefined) {
    if (!file) return;
    const recordId = crypto.randomUUID();
    const vault = unlockedVault();
    const facts = { name: file.name, type: file.type, size: file.size, lastModified: file.lastModified };
    const journal = savingJournal(uploads, vault, facts, recordId);
    let blobId: string | null = null;
    await transfer(file.name, async (signal) => {
      setProgress({ doneBytes: 0, totalBytes: file.size, retrying: false });
      try {
        const reference = await uploadEncryptedFile(file, { recordId, version: 1, keyVersion: 1 }, progressUntil(signal), httpTransport, undefined, {
          signal,
          journal: {
            started: (started) => {
              blobId = started.blobId;
              return journal.started(started);
            },
            stored: journal.stored,
          },
        });
        // A Cancel pressed while the last chunks were on their way still means "do not save it".
        signal.throwIfAborted();
        await saveFileRecord(recordId, reference, file);
        await journal.finish();
        await uploads.remove(reference.blobId);
      } catch (caught) {
        // Cancelled by the person: not to be resumed (the chunks sent are swept from the server later). Anything else,
        // a page being unloaded included (its requests end with an AbortError too), is offered after a reload.
        if (signal.aborted) {
          await journal.finish();
          if (blobId) await uploads.remove(blobId);
        } else await journal.flush();
        throw caught;
      }
    });
  }

  async function resume(saved: SavedUpload, file: File | undefined) {
    setResuming(null);
    if (!file) return;
    await transfer(saved.name, async (signal) => {
      setProgress({ doneBytes: 0, totalBytes: saved.size, retrying: false });
      const reference = await resumeUpload(saved, file, unlockedVault(), httpTransport, uploads, progressUntil(signal), signal);
      signal.throwIfAborted();
      await saveFileRecord(saved.recordId, reference, saved);
      await uploads.remove(saved.blobId);
      setInterrupted((current) => current.filter((entry) => entry.blobId !== saved.blobId));
    });
  }

  async function discard(saved: SavedUpload) {
    await uploads.remove(saved.blobId);
    setInterrupted((current) => current.filter((entry) => entry.blobId !== saved.blobId));
  }

  const busy = active || progress !== null;
  const percent = progress && progress.totalBytes > 0 ? Math.floor((progress.doneBytes / progress.totalBytes) * 100) : 0;
  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Add a file</h2>
      <p className="hint">A PDF, an image, a scan or any other file. It is encrypted here before any of it is uploaded.</p>
      <label htmlFor="upload-file">File</label>
      <input id="upload-file" type="file" disabled={busy} onChange={(event) => upload(event.target.files?.[0])} />
      {interrupted.length > 0 && (
        <ul className="interrupted-uploads" aria-label="Interrupted uploads">
          {interrupted.map((saved) => (
            <li key={saved.blobId}>
              <span>
                {saved.name} ({formatBytes(saved.size)}) did not finish uploading.
              </span>{" "}
              <button
                type="button"
                className="button button-small"
                disabled={busy}
                onClick={() => {
                  setResuming(saved);
                  resumeInput.current?.click();
                }}
              >
                Resume upload of {saved.name}
              </button>{" "}
              <button type="button" className="button button-small button-secondary" disabled={busy} onClick={() => discard(saved)}>
                Discard {saved.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        ref={resumeInput}
        type="file"
        hidden
        aria-label={resuming ? `Pick ${resuming.name} again to resume its upload` : "Pick the file again to resume its upload"}
        onChange={(event) => {
          const picked = event.target.files?.[0];
          event.target.value = "";
          if (resuming) void resume(resuming, picked);
        }}
      />
      {progress && (
        <div className="transfer">
          <label htmlFor="upload-progress">
            {progress.retrying ? "Connection lost — retrying…" : "Encrypting and uploading…"} {formatProgress(progress.doneBytes, progress.totalBytes)} (
            {percent}%)
          </label>
          {/* The bar's label changes with every chunk; a screen reader hears the upload in quarter steps. */}
          <p className="visually-hidden" aria-live="polite">
            {progress.retrying ? "Connection lost, retrying." : `Uploading, ${Math.floor(percent / 25) * 25}% done.`}
          </p>
          <progress
            id="upload-progress"
            data-testid="upload-progress"
            data-done-bytes={progress.doneBytes}
            data-total-bytes={progress.totalBytes}
            max={Math.max(1, progress.totalBytes)}
            value={progress.doneBytes}
          />
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={() => {
              cancel.current?.abort();
              setProgress(null);
            }}
          >
            Cancel upload
          </button>
        </div>
      )}
      <StatusLines message={message} error={error} className="progress-text" />
    </section>
  );
}
