"use client";

import { useEffect, useState } from "react";
import type { AdminOverview } from "@/contract/admin-console";
import { routes } from "@/contract/routes";
import { countOf, formatBytes, formatDateTime } from "@/client/format";
import { httpTransport } from "@/client/transport/api";
import { describeFailure } from "@/client/failures";

const loadWords = { accessEnded: "Please sign in again.", integrity: "The figures could not be read. Reload the page to try again." };

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="admin-figure">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** The deployment's counts, health and security events (GET /api/admin/overview), read again whenever `version` changes. */
/** What each background task (lib/periodic-task.ts) does, in words; a task not listed shows by its name. */
const taskWords: Record<string, string> = {
  "audit-fold": "Chaining new audit events into their trails",
  "auth-upkeep": "Deleting spent sign-in challenges and finished rate-limit windows",
  "blob-sweep": "Removing files whose upload was abandoned",
  "import-sweep": "Removing imports left unfinished",
  "link-sweep": "Removing expired links' contents",
  "departed-trails": "Deleting departed accounts' trails past their keeping time",
  "table-upkeep": "Vacuuming and analysing the tables where autovacuum does not run",
};

export function OverviewSection({ version }: { version: number }) {
  const [overview, setOverview] = useState<AdminOverview | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    httpTransport
      .call(routes.adminConsole.overview, {})
      .then((result) => live && (setOverview(result), setError(undefined)))
      .catch((caught: unknown) => live && setError(describeFailure(caught, loadWords)));
    return () => {
      live = false;
    };
  }, [version]);
  if (error) return <p role="alert">{error}</p>;
  if (!overview) return <p role="status">Loading the figures…</p>;
  const { accounts, health, security } = overview;
  const report = health.report;
  return (
    <>
      <section aria-labelledby="admin-counts-title">
        <h2 id="admin-counts-title">Accounts and data</h2>
        <dl className="admin-figures">
          <Figure label="Patients" value={String(accounts.patient)} testId="count-patient" />
          <Figure label="Doctors" value={String(accounts.doctor)} testId="count-doctor" />
          <Figure label="Nurses" value={String(accounts.nurse)} testId="count-nurse" />
          <Figure label="Administrators" value={String(accounts.admin)} testId="count-admin" />
          <Figure label="Disabled accounts" value={String(accounts.disabled)} testId="count-disabled" />
          <Figure label="Records" value={String(overview.records)} testId="count-records" />
          <Figure label="Storage used" value={formatBytes(overview.storageBytes)} testId="storage-used" />
          <Figure label="Active shares" value={String(overview.activeGrants)} testId="count-grants" />
          <Figure label="Active links" value={String(overview.activeLinks)} testId="count-links" />
          <Figure label="Records waiting for new keys" value={String(overview.rotationQueue)} testId="rotation-queue" />
        </dl>
      </section>
      <section aria-labelledby="admin-health-title">
        <h2 id="admin-health-title">Health</h2>
        <ul className="list" data-testid="health">
          <li className="list-row">
            {report
              ? `Database: ${report.database.kind === "pglite" ? "embedded (PGlite)" : "PostgreSQL"}, reachable`
              : `Not healthy: ${health.problem ?? "unknown problem"}`}
          </li>
          {report && (
            <li className="list-row">
              Migrations: {report.database.migrations.applied} of {report.database.migrations.expected} applied
              {report.database.migrations.upToDate ? " (up to date)" : " (NOT up to date)"}
            </li>
          )}
          {report && <li className="list-row">File store: {report.blobStore.kind}, reachable</li>}
          <li className="list-row">Audit events waiting to join their trails: {health.auditBacklog}</li>
          {health.background.map((task) => (
            <li className="list-row" key={task.name}>
              {taskWords[task.name] ?? `Background work “${task.name}”`} (this server, every{" "}
              {task.intervalSeconds < 60 ? countOf(task.intervalSeconds, "second") : countOf(Math.round(task.intervalSeconds / 60), "minute")}):{" "}
              {task.lastFinishedAt ? `last ran ${formatDateTime(task.lastFinishedAt)}, ${task.lastOutcome === "ok" ? "fine" : "failed"}` : "not run yet"}
              {task.overdue ? " (overdue)" : ""}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="admin-security-title">
        <h2 id="admin-security-title">Security events, last 24 hours</h2>
        <dl className="admin-figures">
          <Figure label="Requests refused for going over a limit" value={String(security.rateLimited)} testId="security-rate-limited" />
          <Figure label="Refused sign-ins" value={String(security.refusedSignIns)} testId="security-refused-sign-ins" />
          <Figure label="Requests refused as not the caller's" value={String(security.refusedRequests)} testId="security-refused-requests" />
        </dl>
        <p className="hint">Counts only: the console shows no address, account or time of a single attempt.</p>
      </section>
    </>
  );
}
