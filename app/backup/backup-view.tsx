"use client";

import { useEffect, useId, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { reportExport } from "@/client/audit/audit";
import { describeFailure, failureKind } from "@/client/failures";
import { kindLabel, type RecordKind } from "@/client/fhir";
import { countOf, formatDateTime, today } from "@/client/format";
import { unlockedVault } from "@/client/keystore/vault-store";
import { blobSink, type ArchiveSink } from "@/client/records/backup-archive";
import { buildBackup, type BackupProgress } from "@/client/records/backup";
import { BackupRestoreError, readBackup, restoreBackup, type BackupContents, type RestoreProgress } from "@/client/records/backup-restore";
import { canSaveToDisk, downloadBlob, saveToDisk } from "@/client/records/download";
import { openStreamedDownload, prepareStreamedDownloads, type StreamedDownload } from "@/client/records/streamed-download";
import { httpTransport } from "@/client/transport/api";

/** A step's progress as the `<progress>` element and the status line show it. */
type Shown = { text: string; done?: number; total?: number };

function backupStep(progress: BackupProgress): Shown {
  if (progress.step === "records")
    return { text: `Decrypting record ${Math.min(progress.done + 1, progress.total)} of ${progress.total} with its versions…`, ...progress };
  if (progress.step === "files")
    return { text: `Decrypting file ${Math.min(progress.done + 1, progress.total)} of ${progress.total} into the archive…`, ...progress };
  return { text: "Writing the records and the README into the archive…" };
}

function restoreStep(progress: RestoreProgress): Shown {
  if (progress.step === "files") return { text: `Encrypting and uploading file ${progress.done + 1} of ${progress.total}…`, ...progress };
  return { text: `Restored ${progress.done} of ${countOf(progress.total, "version")}…`, ...progress };
}

function Progress({ shown, label }: { shown: Shown | null; label: string }) {
  if (!shown) return null;
  return <div className="transfer">{shown.total !== undefined && shown.total > 0 && <progress aria-label={label} value={shown.done} max={shown.total} />}</div>;
}

function DownloadEverything() {
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [message, setMessage] = useState("");
  // The download worker registers now, so that it is active by the time the button is pressed.
  useEffect(() => void prepareStreamedDownloads(), []);

  async function download() {
    setBusy(true);
    setMessage("");
    const name = `health-records-backup-${today()}.zip`;
    let streamed: StreamedDownload | null = null;
    try {
      // Straight to a file on disk where the browser can (the dialog must open from the click itself); else a download.
      const disk = canSaveToDisk() ? await saveToDisk(name) : null;
      if (canSaveToDisk() && !disk) {
        setMessage("Nothing was saved: no place to save the backup was chosen.");
        return;
      }
      // Else streamed to the browser's downloads through the download worker as it is written; else a Blob.
      streamed = disk ? null : await openStreamedDownload(name, null);
      const memory = disk || streamed ? null : blobSink();
      const sink: ArchiveSink = disk ? { write: disk.write, close: disk.close } : (streamed ?? memory!);
      const result = await buildBackup(unlockedVault(), httpTransport, sink, (progress) => setShown(backupStep(progress)), new Date());
      if (memory) await downloadBlob(name, memory.blob());
      const leftOut = [
        result.recordsLeftOut > 0 ? ` ${countOf(result.recordsLeftOut, "record")} that failed their checks are not in it.` : "",
        result.filesLeftOut.length > 0
          ? ` The contents of ${result.filesLeftOut.map((file) => `“${file}”`).join(", ")} are not in it: they could not be decrypted, which means they were altered or damaged after they were saved.`
          : "",
      ].join("");
      setMessage(
        `Saved ${name}: ${countOf(result.records, "record")} with ${countOf(result.versions, "version")} and ${countOf(result.files, "file")}.${leftOut}`,
      );
      // The backup joins the audit trail as an export; a failure to report it does not undo the download.
      void reportExport().catch((caught: unknown) => {
        if (failureKind(caught) === null) throw caught;
      });
    } catch (caught) {
      // A streamed download that did not finish fails in the browser, so no partial archive is kept as complete.
      streamed?.abort();
      if (caught instanceof DOMException && caught.name === "AbortError") {
        setMessage("Nothing was saved: the download was cancelled.");
        return;
      }
      setMessage(
        describeFailure(caught, {
          accessEnded: "Nothing was saved: a file is no longer stored. Reload the page and try again.",
          integrity: "Nothing was saved: some of your records could not be verified.",
          unreachable: "Nothing was saved. Check your connection and try again.",
        }),
      );
    } finally {
      setBusy(false);
      setShown(null);
    }
  }

  return (
    <section aria-labelledby="download-title" className="card">
      <h2 id="download-title">Download everything</h2>
      <p id="download-hint" className="hint">
        One ZIP file with every record and all its earlier versions (as a FHIR file other health apps can read), every file you stored as a file of its own, and
        a README saying what is inside. It is made in this browser and is not encrypted: anyone who has it can read it.
      </p>
      <button type="button" className="button" onClick={download} disabled={busy} aria-describedby="download-hint">
        {busy ? "Making the backup…" : "Download everything"}
      </button>
      <Progress shown={shown} label="Backup progress" />
      <p role="status" className="progress-text" data-testid="backup-status">
        {shown?.text ?? message}
      </p>
    </section>
  );
}

function RestoreBackup() {
  const inputId = useId();
  const [contents, setContents] = useState<BackupContents | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function open(file: File | undefined) {
    setContents(null);
    setMessage(null);
    if (!file) return;
    setBusy(true);
    try {
      setContents(await readBackup(file, (read, total) => setShown({ text: "Checking the backup…", done: read, total })));
    } catch (caught) {
      if (!(caught instanceof BackupRestoreError)) throw caught;
      setMessage({ text: caught.message, error: true });
    } finally {
      setBusy(false);
      setShown(null);
    }
  }

  async function restore() {
    if (!contents) return;
    setBusy(true);
    setMessage(null);
    try {
      const result = await restoreBackup(contents, unlockedVault(), httpTransport, (progress) => setShown(restoreStep(progress)));
      setContents(null);
      setMessage({
        text: `Restored ${countOf(result.records, "record")} with ${countOf(result.versions, "version")} and ${countOf(result.files, "file")}.`,
        error: false,
      });
    } catch (caught) {
      if (caught instanceof BackupRestoreError) setMessage({ text: caught.message, error: true });
      else
        setMessage({
          text: `${describeFailure(caught, {
            accessEnded: "The restore stopped: the server refused it.",
            integrity: "The restore stopped: something could not be verified.",
            unreachable: "The restore stopped: check your connection.",
          })} Records restored before it stopped stay in your chart; delete them from My records to restore the backup again.`,
          error: true,
        });
    } finally {
      setBusy(false);
      setShown(null);
    }
  }

  return (
    <section aria-labelledby="restore-title" className="card">
      <h2 id="restore-title">Restore a backup</h2>
      <p id="restore-hint" className="hint">
        Restores a backup made with “Download everything” into this account, only if it has no records yet (so nothing is duplicated or mixed). Every record is
        encrypted again in this browser and saved as written by you; who wrote each version stays named in the backup.
      </p>
      <label htmlFor={inputId}>Backup file (ZIP)</label>
      <input
        id={inputId}
        type="file"
        accept=".zip,application/zip"
        disabled={busy}
        aria-describedby="restore-hint"
        onChange={(event) => void open(event.target.files?.[0])}
      />
      {contents && (
        <div data-testid="backup-contents">
          <h3>What this backup holds</h3>
          <p>
            Made on {formatDateTime(contents.summary.createdAt)}: {countOf(contents.summary.records, "record")} with{" "}
            {countOf(contents.summary.versions, "version")} and {countOf(contents.summary.files, "file")}.
          </p>
          <ul>
            {[...contents.summary.kinds].map(([kind, count]) => (
              <li key={kind}>
                {kindLabel(kind as RecordKind)}: {count}
              </li>
            ))}
          </ul>
          <button type="button" className="button" onClick={restore} disabled={busy}>
            {busy ? "Restoring…" : "Restore into this account"}
          </button>
        </div>
      )}
      <Progress shown={shown} label="Restore progress" />
      <p role="status" className="progress-text" data-testid="restore-status">
        {shown?.text ?? (message && !message.error ? message.text : "")}
      </p>
      {message?.error && (
        <p role="alert" className="form-error">
          {message.text}
        </p>
      )}
    </section>
  );
}

/** The Backup page: download everything, and restore a backup into an empty account. */
export function BackupView() {
  return (
    <VaultGate>
      <DownloadEverything />
      <RestoreBackup />
    </VaultGate>
  );
}
