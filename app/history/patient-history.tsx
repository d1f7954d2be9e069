"use client";

import { useEffect, useMemo, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { markTrailSeen, trailPageSizes, type TrailTampering } from "@/client/audit/audit";
import { checkTrail, loadNewestEvents, loadOlderEvents, useTrail, type VerifiedTrail } from "@/client/audit/trail-store";
import { buildAuditBundle, summarize } from "@/client/fhir";
import { loadedChart } from "@/client/records/chart-store";
import { isRollback } from "@/client/keystore/rollback-guard";
import { useGrants } from "@/client/sharing/grants-store";
import { unlockedVault, useVault } from "@/client/keystore/vault-store";
import { labelOf, outcomeLabel, throughTeam, when } from "./action-labels";
import { downloadText } from "@/client/records/download";
import { isBrowserStorageError } from "@/client/records/held-blob";
import { describeFailure, failureKind } from "@/client/failures";
import { countOf, listOf, localDayKey, today } from "@/client/format";
import { activityKind, byOthers, linkOpenerName, newActivity, newActivityWords } from "@/client/audit/trail-words";

type HistoryView = VerifiedTrail | TrailTampering;

/** Loads every page older than what is held, each checked against the next; for the export. */
async function withOlderPages(): Promise<HistoryView> {
  const vault = unlockedVault();
  let current = await loadNewestEvents(vault, 0);
  while (current.status !== "tampered" && current.olderEnd.seq > 0) current = await loadOlderEvents(vault, trailPageSizes.catchUp);
  return current;
}

function History() {
  const userId = useVault((state) => (state.vault.status === "unlocked" ? state.vault.userId : ""));
  // A first visit verifies the whole trail from its first event, in pages: how far it has got.
  const progress = useTrail((state) => state.progress);
  const [view, setView] = useState<HistoryView | null>(null);
  const [titles, setTitles] = useState<Map<string, string>>(new Map());
  const [failed, setFailed] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  // The newest events shown: one page at first, one more page per "Show older events", whatever the check already holds.
  const [shownCount, setShownCount] = useState<number>(trailPageSizes.shown);
  const [olderError, setOlderError] = useState<string>();
  const [exportError, setExportError] = useState<string>();
  const [scope, setScope] = useState<"others" | "all">("others");
  const [actor, setActor] = useState("");
  const [record, setRecord] = useState("");
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState("");

  useEffect(() => {
    (async () => {
      const vault = unlockedVault();
      // Catch up from the head this browser verified last (only new events), then show the newest
      // events: those this tab verified already (the check on every page keeps them), older pages only as needed.
      const [check, chart] = await Promise.all([checkTrail(vault), loadedChart()]);
      setTitles(
        new Map(
          chart.flatMap((entry) =>
            entry.status === "ok" ? [[entry.id, summarize(entry.document.resource, entry.document.context)?.title ?? "Record"] as const] : [],
          ),
        ),
      );
      if (check.status === "tampered") return setView(check);
      const newest = await loadNewestEvents(vault);
      setView(newest);
      if (newest.status !== "tampered" && check.head.seq > 0) await markTrailSeen(unlockedVault(), check.head.seq);
    })().catch((error: unknown) => {
      // An outage, a refusal or an answer that failed its checks is said as such; a bug is reported.
      if (failureKind(error) === null)
        setTimeout(() => {
          throw error;
        });
      setFailed(true);
    });
  }, []);

  const loadOlder = async () => {
    if (view?.status !== "verified") return;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      // What the check on every page already verified is shown before anything older is fetched.
      // An older page is fetched when the next page to show reaches past what is held.
      if (view.olderEnd.seq > 0 && view.events.length < shownCount + trailPageSizes.shown) setView(await loadOlderEvents(unlockedVault()));
      setShownCount((count) => count + trailPageSizes.shown);
    } catch (caught) {
      setOlderError(
        describeFailure(caught, { accessEnded: "You were signed out. Please sign in again.", integrity: "The older events could not be checked." }),
      );
    } finally {
      setLoadingOlder(false);
    }
  };

  const events = useMemo(() => (view?.status === "verified" ? view.events.slice(-shownCount) : []), [view, shownCount]);
  const shown = useMemo(
    () =>
      events
        .filter((event) => scope === "all" || byOthers(event, userId))
        .filter((event) => !actor || event.actorId === actor)
        .filter((event) => !record || event.recordId === record || (event.recordIds ?? []).includes(record))
        // The date inputs hold days where the person is, so events are compared by their local day.
        .filter((event) => !from || localDayKey(event.occurredAt) >= from)
        .filter((event) => !until || localDayKey(event.occurredAt) <= until)
        .reverse(),
    [events, scope, actor, record, from, until, userId],
  );

  if (failed)
    return (
      <p className="form-error" role="alert">
        Your access history could not be loaded. Please try again.
      </p>
    );
  if (!view)
    return (
      <p role="status" data-testid="audit-checking">
        Checking your access history…
        {progress && progress.total > trailPageSizes.catchUp ? ` ${countOf(progress.verified, "event")} of ${progress.total.toLocaleString()} verified.` : ""}
      </p>
    );
  if (view.status === "tampered") {
    return (
      <div className="integrity-warning" role="alert" data-testid="audit-tampered">
        <h2>Your access history does not check out</h2>
        <p>
          {view.reason === "head"
            ? "The history the server sent does not extend the one your browser verified on your last visit: events you had already seen were changed or removed."
            : `Event ${view.brokenAtSeq} of your history was edited, removed or moved after it was written.`}{" "}
          Nothing of it is shown, because none of it can be trusted. Your records themselves are not affected: they are checked separately. Please contact
          support and keep this page open.
        </p>
      </div>
    );
  }

  const seenSeq = view.seenSeq;
  const isNew = (event: (typeof events)[number]) => event.seq > seenSeq && activityKind(event, userId) !== null;
  // Accesses, refused attempts and failed sign-ins are counted apart: a refusal is not an access.
  const newWords = newActivityWords(newActivity(events, seenSeq, userId));
  // Events newer than the last visit that are not loaded yet: the count shown is a lower bound.
  // Unseen events older than those shown (held but not shown yet, or not loaded): the count is a lower bound.
  const unseenNotLoaded = (events.length > 0 ? events[0]!.seq - 1 : view.olderEnd.seq) > seenSeq;
  const actors = [...new Map(events.filter((event) => event.actorId && event.actorId !== userId).map((event) => [event.actorId!, event.actorName])).entries()];
  const recordIds = [...new Set(events.flatMap((event) => [...(event.recordId ? [event.recordId] : []), ...(event.recordIds ?? [])]))];
  const titleOf = (recordId: string) => titles.get(recordId) ?? "A record no longer in your chart";

  return (
    <>
      <p className="verified-note" data-testid="audit-verified">
        Verified: {events.length === 1 ? "the one event shown links up" : `the ${countOf(events.length, "event")} shown link up`} to the newest, which extends
        the history your browser checked last time.
      </p>
      <p data-testid="new-accesses">
        {newWords ? (
          <strong className="badge">
            {unseenNotLoaded ? "At least " : ""}
            {newWords} since your last visit
          </strong>
        ) : unseenNotLoaded ? (
          "No new accesses among the events shown; older events since your last visit are not loaded yet."
        ) : (
          "No new accesses since your last visit."
        )}
      </p>
      {(view.olderEnd.seq > 0 || view.events.length > events.length) && (
        <p className="hint">Showing the newest events. Filters apply to the events shown: show older events, at the end of the list, to look further back.</p>
      )}
      <form className="filters" aria-label="Filter the history" onSubmit={(event) => event.preventDefault()}>
        {/* Each label and its control wrap as one: on a phone, "Record" never ends a line with its list on the next. */}
        <span className="filter">
          <label htmlFor="history-scope">Show</label>
          <select id="history-scope" value={scope} onChange={(event) => setScope(event.target.value as "others" | "all")}>
            <option value="others">What others did</option>
            <option value="all">Everything, including what you did</option>
          </select>
        </span>
        <span className="filter">
          <label htmlFor="history-actor">Clinician</label>
          <select id="history-actor" value={actor} onChange={(event) => setActor(event.target.value)}>
            <option value="">Anyone</option>
            {actors.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </span>
        <span className="filter">
          <label htmlFor="history-record">Record</label>
          <select id="history-record" value={record} onChange={(event) => setRecord(event.target.value)}>
            <option value="">Any record</option>
            {recordIds.map((id) => (
              <option key={id} value={id}>
                {titleOf(id)}
              </option>
            ))}
          </select>
        </span>
        <span className="filter">
          <label htmlFor="history-from">From</label>
          <input id="history-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        </span>
        <span className="filter">
          <label htmlFor="history-until">Until</label>
          <input id="history-until" type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
        </span>
      </form>
      <button
        type="button"
        className="button button-secondary"
        onClick={async () => {
          setExportError(undefined);
          let grants;
          let whole: HistoryView;
          try {
            grants = await useGrants.getState().load();
            // The export holds the whole trail: the older pages are loaded (and checked) now.
            whole = await withOlderPages();
          } catch (caught) {
            // Consents built from a rolled-back grant list would misstate who may read what.
            setExportError(
              isRollback(caught)
                ? caught.message
                : describeFailure(caught, {
                    accessEnded: "The export could not be made. Please try again.",
                    integrity: "The export could not be made. Please try again.",
                  }),
            );
            return;
          }
          setView(whole);
          if (whole.status !== "verified") return;
          await downloadText(`access-history-${today()}.json`, JSON.stringify(buildAuditBundle(whole.events, grants, userId, new Date()), null, 2)).catch(
            (caught: unknown) => {
              if (!isBrowserStorageError(caught)) throw caught;
              setExportError(caught.message);
            },
          );
        }}
      >
        Export as FHIR (AuditEvent and Consent)
      </button>
      {exportError && (
        <p className="form-error" role="alert">
          {exportError}
        </p>
      )}
      {shown.length === 0 ? (
        <p>Nothing matches these filters.</p>
      ) : (
        <table className="history-table stacked-table" data-testid="history-table">
          <caption className="visually-hidden">Who did what, when</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Record</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((event) => (
              <tr key={event.seq} data-testid="history-row">
                <td data-label="When">
                  <time dateTime={event.occurredAt}>{when(event.occurredAt)}</time>
                  {isNew(event) && <span className="badge"> New</span>}
                </td>
                <td data-label="Who">
                  {event.recipient ? linkOpenerName(event.recipient) : event.actorName}
                  {throughTeam(event, userId) && <span data-testid="history-through"> {throughTeam(event, userId)}</span>}
                </td>
                <td data-label="What">{labelOf(event)}</td>
                <td data-label="Record">{event.recordId ? titleOf(event.recordId) : event.recordIds?.length ? listOf(event.recordIds.map(titleOf)) : "—"}</td>
                <td data-label="Outcome">{outcomeLabel(event.outcome)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(view.olderEnd.seq > 0 || view.events.length > events.length) && (
        <p>
          <button type="button" className="button button-secondary" disabled={loadingOlder} onClick={loadOlder}>
            {loadingOlder ? "Loading older events…" : "Show older events"}
          </button>
        </p>
      )}
      {olderError && (
        <p className="form-error" role="alert">
          {olderError}
        </p>
      )}
    </>
  );
}

export function PatientHistory() {
  return (
    <VaultGate>
      <History />
    </VaultGate>
  );
}
