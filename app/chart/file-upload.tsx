"use client";

import { useState } from "react";
import { uploadEncryptedFile, type TransferProgress } from "@/client/records/files";
import { formatProgress } from "@/client/format";
import { createRecords } from "@/client/records/records";
import { useChart } from "@/client/records/chart-store";
import { unlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { describeFailure } from "@/client/failures";
import { StatusLines } from "@/app/_components/status-lines";

/** Encrypts a file in the browser while uploading it, with progress, and files it as a record. */
export function FileUpload() {
  const reload = useChart((state) => state.reload);
  const [progress, setProgress] = useState<TransferProgress | null>(null);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  async function upload(file: File | undefined) {
    if (!file) return;
    setError(undefined);
    setMessage(undefined);
    const recordId = crypto.randomUUID();
    try {
      setProgress({ doneBytes: 0, totalBytes: file.size, retrying: false });
      const reference = await uploadEncryptedFile(file, { recordId, version: 1, keyVersion: 1 }, setProgress, httpTransport);
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
      await reload();
      setMessage(`${file.name} was encrypted and saved.`);
    } catch (caught) {
      setError(
        describeFailure(caught, {
          accessEnded: "The file was not saved. Please try again.",
          integrity: "The file was not saved. Please try again.",
        }),
      );
    } finally {
      setProgress(null);
    }
  }

  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Add a file</h2>
      <p className="hint">A PDF, an image, a scan or any other file. It is encrypted here before any of it is uploaded.</p>
      <label htmlFor="upload-file">File</label>
      <input id="upload-file" type="file" disabled={progress !== null} onChange={(event) => upload(event.target.files?.[0])} />
      {progress && (
        <div className="transfer">
          <label htmlFor="upload-progress">
            {progress.retrying ? "Connection lost — retrying…" : "Encrypting and uploading…"} {formatProgress(progress.doneBytes, progress.totalBytes)}
          </label>
          <progress id="upload-progress" max={Math.max(1, progress.totalBytes)} value={progress.doneBytes} />
        </div>
      )}
      <StatusLines message={message} error={error} className="progress-text" />
    </section>
  );
}
