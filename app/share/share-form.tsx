"use client";

import { useState } from "react";
import { ShareTermsFields } from "./share-terms-fields";
import { endOfDay, today as todayWhereThePersonIs } from "@/client/format";
import { Field } from "@/app/_components/field";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { ApiError } from "@/client/transport/api";
import type { CertifiedKeys } from "@/client/sharing/contacts";
import { kindLabel } from "@/client/fhir";
import { groupCountWords, groupRecords, shownOrder, summarizeRecords } from "@/client/records/record-groups";
import type { ChartEntry } from "@/client/records/records";
import { isIntegrityError } from "@/client/integrity";
import { useGrants } from "@/client/sharing/grants-store";
import { isRevealableBirthDate } from "@/client/sharing/sharing";
import { parseDateInput } from "@/client/fhir/date-input";
import { useVault, type PinnedContact } from "@/client/keystore/vault-store";
import type { EntryVerification } from "@/client/sharing/directory-verification";
import { DirectoryBadge } from "./directory-badge";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

export interface ChosenClinician extends CertifiedKeys {
  pin: PinnedContact | undefined;
  /** The patient arrived through the clinician's share code, which already matched these keys. */
  viaShareCode: boolean;
  /** The entry's verification as this browser checked it, over these keys. */
  verification: EntryVerification;
}

/**
 * What to share with one clinician: which records (one by one, by kind, or all including
 * future ones), the permission (read-only by default, for doctors and nurses alike), an
 * optional end date, and the name this clinician will see. It takes focus when it opens
 * (its heading) and gives it back to the control that opened it when it closes (Cancel,
 * when `onCancel` is given, or after sharing).
 */
export function ShareForm({
  clinician,
  entries,
  onShared,
  onCancel,
}: {
  clinician: ChosenClinician;
  entries: OkEntry[];
  onShared: (message: string) => void;
  onCancel?: () => void;
}) {
  const heading = usePanelFocus();
  const vault = useVault((state) => state.vault);
  const entry = clinician.directory!;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  const [permission, setPermission] = useState<"read" | "contribute">("read");
  const [until, setUntil] = useState("");
  const [revealedName, setRevealedName] = useState(vault.status === "unlocked" ? vault.profile.displayName : "");
  const [revealedBirthDate, setRevealedBirthDate] = useState("");
  const [verified, setVerified] = useState(clinician.viaShareCode || (clinician.pin?.verified ?? false));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // The person's own today: the date input's minimum is a day where they are, not in UTC.
  const today = todayWhereThePersonIs();

  const toggle = (ids: string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  // Never neither: a verified entry, or the safety code compared (or the share code opened).
  const trusted = verified || clinician.verification.state === "verified";

  async function share() {
    setError(undefined);
    if (!trusted) return setError(`Compare the safety code with ${entry.displayName} first: this entry is not verified.`);
    if (!all && selected.size === 0) return setError("Choose at least one record to share, or all your records.");
    if (!revealedName.trim()) return setError("Enter the name this clinician should see.");
    if (until && until <= today) return setError("The end date must be after today.");
    // Read like every other date field (a year, "May 1957", a day), then stored as a FHIR date.
    const birthDate = revealedBirthDate.trim() ? parseDateInput(revealedBirthDate, { notFuture: true }) : null;
    if (birthDate && (!birthDate.ok || !isRevealableBirthDate(birthDate.value))) {
      return setError(`Your date of birth: ${birthDate.ok ? "it cannot be shown as given." : birthDate.problem} Or leave it empty.`);
    }
    setBusy(true);
    try {
      await useGrants.getState().share({
        clinician,
        verified: verified && !clinician.pin?.verified,
        recordIds: all ? "all" : [...selected],
        permission,
        expiresAt: until ? endOfDay(until) : null,
        revealedName,
        revealedBirthDate: birthDate?.ok ? birthDate.value : undefined,
      });
      onShared(`Shared with ${entry.displayName}.`);
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught.message);
      else if (isIntegrityError(caught)) setError(`${caught.message} Nothing was shared.`);
      else throw caught;
    } finally {
      setBusy(false);
    }
  }

  // Grouped and ordered as the chart shows them (newest first), statements after what is counted.
  const groups = groupRecords(summarizeRecords(entries)).map((group) => ({
    kind: group.kind,
    countWords: groupCountWords(group),
    items: shownOrder([group]),
  }));

  return (
    <section className="card" aria-labelledby="share-title" data-testid="share-form">
      <h2 id="share-title" ref={heading} tabIndex={-1} className="panel-title">
        Share with {entry.displayName}
      </h2>
      <p className="hint">
        {entry.role === "doctor" ? "Doctor" : "Nurse"} · {entry.specialty} · {entry.organization}
      </p>
      <DirectoryBadge check={clinician.verification} />
      {clinician.viaShareCode ? (
        <p className="verified-note">Their key matches the share code you opened.</p>
      ) : (
        <p>Before sharing, compare this safety code with the one {entry.displayName} sees in their app:</p>
      )}
      <p className="safety-code" data-testid="clinician-safety-code">
        {clinician.safetyCode.digits}
      </p>
      <label className="check-row">
        <input type="checkbox" checked={verified} onChange={(event) => setVerified(event.target.checked)} /> I compared this code with {entry.displayName} (in
        person, or by scanning their share code)
      </label>
      {!trusted && (
        <p className="hint" id="share-needs-comparison" data-testid="share-needs-comparison">
          This entry is not verified, so sharing needs the comparison: tick the box once the codes match.
        </p>
      )}
      {trusted && !verified && (
        <p className="hint">An administrator verified this entry; comparing the code as well protects you even if that administrator was wrong.</p>
      )}

      <fieldset className="choices">
        <legend>Records</legend>
        <label className="check-row">
          <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> All my records, including future ones
        </label>
        {!all &&
          groups.map((group) => (
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
                  All {kindLabel(group.kind).toLowerCase()} ({group.countWords})
                </label>
              </legend>
              {group.items.map(({ item, summary }) => (
                // The date describes the choice (two "Hypertension" rows read apart) without becoming part of its name.
                <div key={item.id}>
                  <label className="check-row">
                    <input
                      type="checkbox"
                      checked={selected.has(item.id)}
                      aria-describedby={summary?.dateText ? `share-date-${item.id}` : undefined}
                      onChange={(event) => toggle([item.id], event.target.checked)}
                    />{" "}
                    {summary?.title}
                  </label>
                  {summary?.dateText && (
                    <span id={`share-date-${item.id}`} className="hint share-record-date">
                      {summary.dateText}
                    </span>
                  )}
                </div>
              ))}
            </fieldset>
          ))}
      </fieldset>

      <ShareTermsFields idPrefix="share" permission={permission} onPermission={setPermission} until={until} onUntil={setUntil} today={today} />
      <Field
        id="share-name"
        label={`Your name as ${entry.displayName} will see it`}
        hint={`Only ${entry.displayName} can read this name: it is encrypted for them, not for us.`}
        value={revealedName}
        maxLength={200}
        autoComplete="name"
        onChange={(event) => setRevealedName(event.target.value)}
      />
      <Field
        id="share-birth-date"
        label="Also show my date of birth (optional)"
        hint={`A year, a month or a day (1957, Jul 1957 or 1957-07-06). Encrypted for ${entry.displayName} like your name; leave it empty to keep it to yourself.`}
        value={revealedBirthDate}
        maxLength={40}
        autoComplete="bday"
        onChange={(event) => setRevealedBirthDate(event.target.value)}
      />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={share}
          disabled={busy}
          // Pressable when it cannot share yet, so that pressing says why (a disabled button says nothing).
          aria-disabled={!trusted || (!all && selected.size === 0) || undefined}
          aria-describedby={trusted ? undefined : "share-needs-comparison"}
        >
          {busy ? "Sharing…" : "Share"}
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
      </div>
    </section>
  );
}
