"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { Field } from "@/app/_components/field";
import { describeFailure } from "@/client/failures";
import { kindLabel } from "@/client/fhir";
import { parseDateInput } from "@/client/fhir/date-input";
import type { RecordKind } from "@/client/fhir/types";
import { countOf } from "@/client/format";
import { unlockedVault, useVault } from "@/client/keystore/vault-store";
import { LinkBundleError, summaryKinds, type LinkSelection } from "@/client/links/make-bundle";
import { maxLabelLength } from "@/client/links/make-label";
import {
  buildStepWords,
  expiryPresets,
  LinkTooLargeError,
  makeLinkFromChart,
  passcodeLength,
  type BuildStep,
  type ExpiryPreset,
  type MadeLink,
} from "@/client/links/make-link";
import { useChart } from "@/client/records/chart-store";
import { groupCountWords, groupRecords, shownOrder, summarizeRecords } from "@/client/records/record-groups";
import { progressWords } from "@/client/records/record-pages";
import type { OkEntry } from "@/client/records/records";
import { isRevealableBirthDate } from "@/client/sharing/sharing";
import { SummaryFontError } from "@/client/summary/summary-fonts";
import { httpTransport } from "@/client/transport/api";

type Mode = LinkSelection["by"];

/**
 * What a new link carries and how it opens: records one by one, whole kinds, or "my summary"
 * (the IPS sections' records and the summary PDF); optionally the PDF of what is chosen; the
 * label (in the link, at most 80 characters); the name and date of birth the recipient sees;
 * the expiry (required, 15 minutes to 30 days); and "Protect with a passcode" (flag P instead
 * of U). Shows each step while the browser builds, encrypts and uploads. `focusHeading`: the form
 * takes the focus once shown (it replaces the made link's panel, whose "Done" went away with it).
 */
export function MakeLinkForm({ onMade, focusHeading = false }: { onMade: (made: MadeLink) => void; focusHeading?: boolean }) {
  const { entries: loaded, complete, progress, error: chartError, ensureLoaded } = useChart();
  const vault = useVault((state) => state.vault);
  const [mode, setMode] = useState<Mode>("records");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [kinds, setKinds] = useState<RecordKind[]>([]);
  const [withPdf, setWithPdf] = useState(false);
  const [label, setLabel] = useState("");
  const [name, setName] = useState(vault.status === "unlocked" ? vault.profile.displayName : "");
  const [birthDate, setBirthDate] = useState("");
  const [expiry, setExpiry] = useState<ExpiryPreset>("1d");
  const [protect, setProtect] = useState(false);
  const [passcode, setPasscode] = useState("");
  const [step, setStep] = useState<BuildStep | null>(null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    void ensureLoaded();
  }, [ensureLoaded]);

  // A link of part of the chart could leave out what is on a page not read yet: it waits for the whole chart.
  const entries = useMemo(() => (complete && loaded ? loaded.filter((entry): entry is OkEntry => entry.status === "ok") : null), [complete, loaded]);
  const heading = useRef<HTMLHeadingElement>(null);
  const ready = entries !== null;
  useEffect(() => {
    if (focusHeading && ready) heading.current?.focus();
  }, [focusHeading, ready]);
  const groups = useMemo(
    () =>
      groupRecords(summarizeRecords(entries ?? [])).map((group) => ({
        kind: group.kind,
        heading: group.heading,
        // Statements ("No known food allergy") make a summary worth sending, but are never counted as what the person has.
        count: group.rows.length + group.statements.length,
        countWords: groupCountWords(group),
        items: shownOrder([group]),
      })),
    [entries],
  );

  if (chartError) {
    return (
      <p className="form-error" role="alert">
        {chartError}
      </p>
    );
  }
  if (!entries) return <p role="status">{progress ? progressWords(progress) : "Decrypting your chart…"}</p>;

  const toggle = (ids: string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };
  const summaryCount = groups.filter((group) => summaryKinds.includes(group.kind)).reduce((sum, group) => sum + group.count, 0);
  // A summary PDF is made of the chosen records, so a link needs at least one.
  const nothingChosen = (mode === "records" && selected.size === 0) || (mode === "kinds" && kinds.length === 0) || (mode === "summary" && summaryCount === 0);
  const busy = step !== null;

  async function make() {
    if (busy) return;
    setError(undefined);
    if (nothingChosen) {
      return setError(
        mode === "summary"
          ? "Your summary has no records yet (allergies, medications, problems and the like). Add some to your chart, or choose records."
          : "Choose at least one record or kind: the link would hold nothing.",
      );
    }
    const trimmedLabel = label.trim();
    if (!trimmedLabel) return setError("Give the link a label, such as the clinic's name: the recipient sees it too.");
    if (!name.trim()) return setError("Enter the name the recipient should see.");
    const born = birthDate.trim() ? parseDateInput(birthDate, { notFuture: true }) : null;
    if (born && (!born.ok || !isRevealableBirthDate(born.value))) {
      return setError(`Your date of birth: ${born.ok ? "it cannot be shown as given." : born.problem} Or leave it empty.`);
    }
    if (protect && (passcode.length < passcodeLength.min || passcode.length > passcodeLength.max)) {
      return setError(`The passcode must be ${passcodeLength.min} to ${passcodeLength.max} characters.`);
    }
    const selection: LinkSelection =
      mode === "records" ? { by: "records", recordIds: [...selected] } : mode === "kinds" ? { by: "kinds", kinds } : { by: "summary" };
    try {
      const made = await makeLinkFromChart(
        {
          entries: entries!,
          selection,
          withPdf,
          patient: { name, birthDate: born?.ok ? born.value : undefined },
          label: trimmedLabel,
          expiry,
          passcode: protect ? passcode : undefined,
        },
        unlockedVault(),
        httpTransport,
        window.location.origin,
        setStep,
      );
      onMade(made);
    } catch (caught) {
      if (caught instanceof LinkBundleError || caught instanceof LinkTooLargeError) setError(caught.message);
      else if (caught instanceof SummaryFontError) setError("The summary PDF could not be made: its font did not load. Check your connection and try again.");
      else
        setError(
          `${describeFailure(caught, {
            accessEnded: "A record you chose is no longer in your chart. Reload the page and choose again.",
            integrity: "A record or file you chose could not be verified: it may have been altered on the server.",
            unreachable: "Health Safe Cloud could not be reached. Check your connection and try again.",
          })} No link was made.`,
        );
    } finally {
      setStep(null);
    }
  }

  return (
    <section className="card links-no-print" aria-labelledby="make-link-title" data-testid="make-link-form">
      <h2 id="make-link-title" ref={heading} tabIndex={-1}>
        Make a link
      </h2>
      <p>
        Anyone who has the link (or scans its QR code) can open what you choose until it expires or you revoke it, without an account. Your browser encrypts it;
        the key is only in the link, never on our server.
      </p>
      <fieldset className="choices">
        <legend>What to share</legend>
        <label className="check-row">
          <input type="radio" name="link-mode" checked={mode === "records"} onChange={() => setMode("records")} /> Records I choose
        </label>
        <label className="check-row">
          <input type="radio" name="link-mode" checked={mode === "kinds"} onChange={() => setMode("kinds")} /> Every record of some kinds
        </label>
        <label className="check-row">
          <input type="radio" name="link-mode" checked={mode === "summary"} onChange={() => setMode("summary")} /> My summary (the printable PDF and its{" "}
          {countOf(summaryCount, "record")})
        </label>
      </fieldset>

      {mode === "records" && (
        <fieldset className="choices">
          <legend>Records</legend>
          {groups.length === 0 && <p>Your chart has no records yet.</p>}
          {groups.map((group) => (
            <fieldset key={group.kind} className="record-kind-group">
              <legend>
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked={group.items.every(({ item }) => selected.has(item.id))}
                    onChange={(event) =>
                      toggle(
                        group.items.map(({ item }) => item.id),
                        event.target.checked,
                      )
                    }
                  />{" "}
                  All {group.heading.toLowerCase()} ({group.countWords})
                </label>
              </legend>
              {group.items.map(({ item, summary }) => (
                <div key={item.id}>
                  <label className="check-row">
                    <input
                      type="checkbox"
                      checked={selected.has(item.id)}
                      aria-describedby={summary?.dateText ? `link-date-${item.id}` : undefined}
                      onChange={(event) => toggle([item.id], event.target.checked)}
                    />{" "}
                    {summary?.title}
                  </label>
                  {summary?.dateText && (
                    <span id={`link-date-${item.id}`} className="hint share-record-date">
                      {summary.dateText}
                    </span>
                  )}
                </div>
              ))}
            </fieldset>
          ))}
        </fieldset>
      )}

      {mode === "kinds" && (
        <fieldset className="choices">
          <legend>Kinds of records</legend>
          {groups.map((group) => (
            <label key={group.kind} className="check-row">
              <input
                type="checkbox"
                checked={kinds.includes(group.kind)}
                onChange={(event) => setKinds(event.target.checked ? [...kinds, group.kind] : kinds.filter((kind) => kind !== group.kind))}
              />{" "}
              {kindLabel(group.kind)} ({group.countWords})
            </label>
          ))}
        </fieldset>
      )}

      {mode !== "summary" && (
        <label className="check-row">
          <input type="checkbox" checked={withPdf} onChange={(event) => setWithPdf(event.target.checked)} /> Also include a printable summary (PDF) of what I
          choose
        </label>
      )}

      <Field
        id="link-label"
        label="Label"
        hint={`Up to ${maxLabelLength} characters, such as the clinic's name. It is part of the link, so the recipient sees it too.`}
        value={label}
        maxLength={maxLabelLength}
        autoComplete="off"
        onChange={(event) => setLabel(event.target.value)}
      />
      <Field
        id="link-name"
        label="Your name as the recipient will see it"
        value={name}
        maxLength={200}
        autoComplete="name"
        onChange={(event) => setName(event.target.value)}
      />
      <Field
        id="link-birth-date"
        label="Also show my date of birth (optional)"
        hint="A year, a month or a day (1957, Jul 1957 or 1957-07-06). Leave it empty to keep it to yourself."
        value={birthDate}
        maxLength={40}
        autoComplete="bday"
        onChange={(event) => setBirthDate(event.target.value)}
      />
      <div className="field">
        <label htmlFor="link-expiry">Expires after</label>
        <select id="link-expiry" value={expiry} onChange={(event) => setExpiry(event.target.value as ExpiryPreset)}>
          {expiryPresets.map((preset) => (
            <option key={preset.key} value={preset.key}>
              {preset.words}
            </option>
          ))}
        </select>
      </div>
      <label className="check-row">
        <input type="checkbox" checked={protect} onChange={(event) => setProtect(event.target.checked)} /> Protect with a passcode
      </label>
      {protect && (
        <Field
          id="link-passcode"
          label="Passcode"
          hint={`${passcodeLength.min} to ${passcodeLength.max} characters. Give it to the recipient separately, not with the link. After 10 wrong tries the link stops working.`}
          type="password"
          value={passcode}
          minLength={passcodeLength.min}
          maxLength={passcodeLength.max}
          autoComplete="new-password"
          onChange={(event) => setPasscode(event.target.value)}
        />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <p role="status" aria-live="polite">
        {step ? buildStepWords[step] : ""}
      </p>
      <div className="actions">
        {/* aria-disabled, not disabled: a disabled button drops keyboard focus to the page's body. */}
        <button type="button" className="button" onClick={make} aria-disabled={busy || nothingChosen}>
          {busy ? "Making the link…" : "Make the link"}
        </button>
      </div>
    </section>
  );
}
