"use client";

import { useEffect, useState } from "react";
import { describeFailure } from "@/client/failures";
import { countOf, formatBytes } from "@/client/format";
import { myStorage, type StorageSummary } from "@/client/account/security";

/**
 * The space the patient's files and records take against their quota, as words first (a
 * screen reader and a narrow phone get the whole statement) and as a labelled meter.
 */
export function StorageSection() {
  const [storage, setStorage] = useState<StorageSummary | null>(null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    myStorage().then(setStorage, (caught: unknown) =>
      setError(describeFailure(caught, { accessEnded: "Your storage could not be loaded.", integrity: "Your storage could not be loaded." })),
    );
  }, []);

  const left = storage ? Math.max(0, storage.quotaBytes - storage.usedBytes) : 0;
  return (
    <section className="card" aria-labelledby="storage-title">
      <h2 id="storage-title">Storage</h2>
      {storage === null ? (
        <p role="status">{error ?? "Loading…"}</p>
      ) : (
        <>
          <p data-testid="storage-used">
            You use {formatBytes(storage.usedBytes)} of your {formatBytes(storage.quotaBytes)}; {formatBytes(left)} left.
          </p>
          <meter
            className="storage-meter"
            aria-labelledby="storage-title"
            aria-valuetext={`${formatBytes(storage.usedBytes)} of ${formatBytes(storage.quotaBytes)} used`}
            min={0}
            max={storage.quotaBytes}
            high={storage.quotaBytes * 0.9}
            value={Math.min(storage.usedBytes, storage.quotaBytes)}
          />
          <p className="hint">
            Files {formatBytes(storage.fileBytes)} (counted from the moment an upload starts, in whole MiB), records {formatBytes(storage.recordBytes)}.{" "}
            {countOf(storage.unfinishedUploads, "upload")} under way; at most {storage.unfinishedUploadsMax} at a time.
          </p>
        </>
      )}
    </section>
  );
}
