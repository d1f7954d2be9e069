"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { Field } from "@/app/_components/field";
import { EmergencySetFields } from "@/app/_components/emergency-set-fields";
import { QrCode } from "@/app/_components/qr-code";
import { VaultGate } from "@/app/_components/vault-gate";
import { LinkAccesses } from "@/app/links/_components/link-accesses";
import { describeFailure } from "@/client/failures";
import { watchNotices } from "@/client/notices/notices";
import { formatDateTime } from "@/client/format";
import { cardContent } from "@/client/emergency-card/card-pdf";
import { cardContactLine, cardContacts, type CardContact } from "@/client/emergency/contact-names";
import { listEmergencyContacts } from "@/client/emergency/emergency-contacts";
import { shlLimits } from "@/contract/links";
import { cardLinkText, findCard, keepCardCurrent, makeCard, reissueCard, type EmergencyCard } from "@/client/emergency-card/card-link";
import type { RecordKind } from "@/client/fhir/types";
import { useVault, type UnlockedVault } from "@/client/keystore/vault-store";
import { passcodeLength } from "@/client/links/make-link";
import { useChart } from "@/client/records/chart-store";
import type { OkEntry } from "@/client/records/records";
import { isRevealableBirthDate } from "@/client/sharing/sharing";
import { httpTransport } from "@/client/transport/api";
import { downloadCard } from "./card-download";
import "./emergency-card.css";

const failureWords = {
  accessEnded: "Your session ended. Sign in again.",
  integrity: "Something did not verify. Nothing was changed.",
  unreachable: "Health Safe Cloud could not be reached. Check your connection and try again.",
};

/** A card just made: its link text and passcode, shown once (the passcode is stored nowhere). */
interface Made {
  /** The new link's id: the panel shows the card once the list read back holds it (never the old card's link or settings). */
  linkId: string;
  text: string;
  passcode: string | null;
}

/** The patient's named emergency contacts as the card would print them, and how many have no name to print. */
interface NamedContacts {
  named: CardContact[];
  unnamed: number;
}

function CardForm({
  entries,
  card,
  namedContacts,
  onMade,
}: {
  entries: OkEntry[];
  card: EmergencyCard | null;
  namedContacts: NamedContacts | null;
  onMade: (made: Made) => void;
}) {
  const vault = useVault((state) => state.vault);
  const [kinds, setKinds] = useState<RecordKind[]>(card ? card.settings.kinds : ["allergy", "medication", "condition"]);
  const [named, setNamed] = useState<Set<string>>(new Set(card?.settings.recordIds ?? []));
  const [name, setName] = useState(card?.settings.name ?? (vault.status === "unlocked" ? vault.profile.displayName : ""));
  const [birthDate, setBirthDate] = useState(card?.settings.birthDate ?? "");
  const [contacts, setContacts] = useState(card?.settings.contacts ?? "");
  // A new card offers the named emergency contacts; a reissued one keeps what was chosen.
  const [includeContacts, setIncludeContacts] = useState(card?.settings.includeContacts ?? true);
  const [protect, setProtect] = useState(true);
  const [passcode, setPasscode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // Reissuing stops the printed card at once: it asks to be confirmed first.
  const [confirming, setConfirming] = useState(false);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (confirming) confirmHeading.current?.focus();
  }, [confirming]);
  const typedBirthDate = birthDate.trim();
  const birthDateError =
    typedBirthDate && !isRevealableBirthDate(typedBirthDate) ? "Enter a year (1957), a year and month (1957-07) or a full date (1957-07-06)." : undefined;
  const passcodeError =
    protect && passcode && (passcode.length < passcodeLength.min || passcode.length > passcodeLength.max)
      ? `A passcode has ${passcodeLength.min} to ${passcodeLength.max} characters.`
      : undefined;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (vault.status !== "unlocked" || busy) return;
    if (!name.trim()) return setError("Enter the name the card shows.");
    if (birthDateError) return setError(birthDateError);
    if (protect && (passcode.length < passcodeLength.min || passcode.length > passcodeLength.max))
      return setError(`Choose a passcode of ${passcodeLength.min} to ${passcodeLength.max} characters, or untick the passcode.`);
    const recordIds = [...named].filter((id) => entries.some((entry) => entry.id === id));
    if (kinds.length === 0 && recordIds.length === 0) return setError("Choose at least one kind of record or one record for the card.");
    if (card && !confirming) {
      setError(undefined);
      return setConfirming(true);
    }
    setConfirming(false);
    setBusy(true);
    setError(undefined);
    const input = {
      choice: { kinds, recordIds },
      name: name.trim(),
      birthDate: typedBirthDate || null,
      contacts,
      includeContacts,
      ...(protect ? { passcode } : {}),
    };
    try {
      const made = card
        ? await reissueCard(card, input, entries, vault, httpTransport, location.origin)
        : await makeCard(input, entries, vault, httpTransport, location.origin);
      onMade({ linkId: made.link.id, text: made.text, passcode: protect ? passcode : null });
    } catch (caught) {
      setError(caught instanceof Error && caught.name === "LinkBundleError" ? caught.message : describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} data-testid="card-form" aria-labelledby="card-form-title">
      <h2 id="card-form-title">{card ? "Reissue your emergency card" : "Make your emergency card"}</h2>
      <p>
        The card&apos;s link opens exactly the records you choose here, and stays current: when you add or change a record of a chosen kind, this browser
        updates what the link holds. The server keeps only ciphertext and never learns what you chose.
        {card && " Reissuing makes a new link and revokes the old one: the old card stops working (you are asked to confirm)."}
      </p>
      <EmergencySetFields entries={entries} kinds={kinds} onKinds={setKinds} named={named} onNamed={setNamed} kindsLegend="Kinds of records on the card" />
      <Field id="card-name" label="Your name on the card" value={name} maxLength={200} autoComplete="name" onChange={(event) => setName(event.target.value)} />
      <Field
        id="card-birth-date"
        label="Your date of birth (optional)"
        hint="1957, 1957-07 or 1957-07-06."
        value={birthDate}
        maxLength={10}
        error={birthDateError}
        onChange={(event) => setBirthDate(event.target.value)}
      />
      <label className="check-row">
        <input type="checkbox" checked={includeContacts} onChange={(event) => setIncludeContacts(event.target.checked)} /> Print the emergency contacts I named
        (their names and how to reach them, as this browser knows them)
      </label>
      {includeContacts && namedContacts && (
        <p className="hint" data-testid="card-named-contacts">
          {namedContacts.named.length > 0
            ? `The card prints: ${namedContacts.named.map(cardContactLine).join("; ")}.`
            : "You have no named emergency contact yet."}
          {namedContacts.unnamed > 0 &&
            ` ${namedContacts.unnamed} ${namedContacts.unnamed === 1 ? "contact has" : "contacts have"} no name in this browser and ${namedContacts.unnamed === 1 ? "is" : "are"} left off: add a name on the emergency contacts page.`}
        </p>
      )}
      <div className="field">
        <label htmlFor="card-contacts">Emergency contacts typed here (optional, printed on the card only)</label>
        <textarea id="card-contacts" value={contacts} maxLength={300} rows={3} onChange={(event) => setContacts(event.target.value)} />
      </div>
      <label className="check-row">
        <input type="checkbox" checked={protect} onChange={(event) => setProtect(event.target.checked)} /> Protect with a passcode (printed on a separate slip)
      </label>
      {!protect && <p className="hint">Without a passcode, anyone who holds or photographs the card can read the records on it.</p>}
      {protect && (
        <Field
          id="card-passcode"
          label="Passcode"
          hint={`${passcodeLength.min} to ${passcodeLength.max} characters. It is printed once, on the PDF's second page. The server receives it to check it and keeps only a salted hash of it (Argon2id), from which it cannot be read back; this app cannot show it again.`}
          value={passcode}
          autoComplete="off"
          error={passcodeError}
          onChange={(event) => setPasscode(event.target.value)}
        />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!confirming && (
        <button type="submit" className="button" aria-disabled={busy}>
          {card ? "Reissue the card" : "Make the card"}
        </button>
      )}
      {confirming && card && (
        <div className="card" role="group" aria-labelledby="card-confirm-title" data-testid="reissue-confirm">
          <h3 id="card-confirm-title" ref={confirmHeading} tabIndex={-1}>
            Stop the printed card?
          </h3>
          <p>
            {card.link.state === "live"
              ? "Reissuing stops your printed card at once: its QR code will open nothing. Print the new card and throw the old one away."
              : "Your printed card already opens nothing. Reissuing makes a new card to print."}
          </p>
          <button type="submit" className="button" aria-disabled={busy}>
            {card.link.state === "live" ? "Reissue and stop the printed card" : "Reissue the card"}
          </button>
          <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
            Keep the printed card
          </button>
        </div>
      )}
      {busy && <p role="status">Encrypting your emergency set in this browser and uploading it…</p>}
    </form>
  );
}

/** The patient's live card, its link brought up to date with the chart first (through the same one-at-a-time run as the keeper's). */
async function currentCard(entries: OkEntry[], vault: UnlockedVault) {
  const refreshed = await keepCardCurrent(entries, vault, httpTransport);
  return { found: await findCard(vault, httpTransport), refreshed };
}

function CardPanel({ entries }: { entries: OkEntry[] }) {
  const vault = useVault((state) => state.vault);
  const [card, setCard] = useState<EmergencyCard | null | undefined>(undefined);
  const [made, setMade] = useState<Made | null>(null);
  const [reissuing, setReissuing] = useState(false);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const outcome = useRef<HTMLHeadingElement>(null);

  // The named emergency contacts, by the names the vault pins (never sent anywhere): null until read.
  const [namedContacts, setNamedContacts] = useState<NamedContacts | null>(null);
  const pins = vault.status === "unlocked" ? vault.profile.contacts : undefined;
  useEffect(() => {
    let cancelled = false;
    listEmergencyContacts(httpTransport).then(
      (listed) => !cancelled && setNamedContacts(cardContacts(listed, pins)),
      (caught: unknown) => !cancelled && setError(describeFailure(caught, failureWords)),
    );
    return () => {
      cancelled = true;
    };
  }, [pins]);

  // Bumped after a card is made or reissued, and when the person's notices change (a link opened
  // or slowed by wrong passcodes raises one): the list is read again.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    // The stream's first count (sent on connecting) is no change: only later ones read again.
    let first = true;
    return watchNotices(() => {
      if (first) first = false;
      else setGeneration((value) => value + 1);
    });
  }, []);
  useEffect(() => {
    if (vault.status !== "unlocked") return;
    let cancelled = false;
    currentCard(entries, vault).then(
      ({ found, refreshed }) => {
        if (cancelled) return;
        setCard(found);
        if (refreshed) setStatus("Your card's link now holds your current emergency set.");
      },
      (caught: unknown) => !cancelled && setError(describeFailure(caught, failureWords)),
    );
    return () => {
      cancelled = true;
    };
  }, [vault, entries, generation]);
  // The panel shows once the new card is read back: the focus moves to it then.
  const ready = Boolean(made && card && card.link.id === made.linkId);
  useEffect(() => {
    if (ready) outcome.current?.focus();
  }, [ready]);

  async function download(
    passcode: string | null,
    text: string,
    settings: { kinds: RecordKind[]; recordIds: string[]; name: string; birthDate: string | null; contacts: string; includeContacts: boolean },
  ) {
    setError(undefined);
    try {
      // Names as this browser knows them now: a contact renamed since the card was made prints by the new name.
      const named = settings.includeContacts ? (namedContacts ?? cardContacts(await listEmergencyContacts(httpTransport), pins)).named : [];
      await downloadCard(cardContent(entries, settings, { ...settings, namedContacts: named }), text, passcode);
      setStatus("The card's PDF is downloaded.");
    } catch (caught) {
      setError(describeFailure(caught, failureWords));
    }
  }

  if (error && card === undefined)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (card === undefined) return <p role="status">Looking for your emergency card…</p>;
  const live = card ? { text: cardLinkText(card, location.origin), settings: card.settings } : null;
  // Set by the server only while the window lasts (as of the list just read).
  const slowedUntil = card?.link.throttledUntil ?? null;
  return (
    <>
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {made && !ready && <p role="status">Reading your new card back…</p>}
      {made && ready && live && (
        <section className="card" data-testid="card-made" aria-labelledby="card-made-title">
          <h2 id="card-made-title" ref={outcome} tabIndex={-1}>
            Your emergency card is ready
          </h2>
          <p data-testid="card-made-words">
            {made.passcode
              ? "Download it now, with the passcode on its own page: this app cannot show the passcode again (the server keeps only a salted hash of it), so a later download has the card only."
              : "Download it now, or later from this page: the card has no passcode, so anyone who holds it can open its link."}
          </p>
          <button type="button" className="button" onClick={() => void download(made.passcode, made.text, live.settings)}>
            Download the card (PDF)
          </button>
          <button type="button" className="button button-secondary" onClick={() => setMade(null)}>
            Done
          </button>
        </section>
      )}
      {card && live && !made && card.link.state === "disabled" && (
        <section className="card" data-testid="card-stopped" aria-labelledby="card-stopped-title">
          <h2 id="card-stopped-title">Your emergency card no longer works</h2>
          <p className="form-error">
            Its link stopped after too many wrong passcodes: someone who held the card, or a photo of it, tried to guess the passcode. The printed card opens
            nothing now. Reissue the card and print the new one.
          </p>
          <button type="button" className="button" onClick={() => setReissuing(!reissuing)} aria-expanded={reissuing}>
            Reissue the card
          </button>
          <h3>Who tried your card</h3>
          <LinkAccesses linkId={card.link.id} name="your emergency card" generation={generation} />
        </section>
      )}
      {card && live && !made && card.link.state === "live" && (
        <section className="card" data-testid="emergency-card" aria-labelledby="card-live-title">
          <h2 id="card-live-title">Your emergency card</h2>
          {slowedUntil && (
            <p className="form-error" data-testid="card-slowed">
              Someone tried {shlLimits.longTermGuesses.perWindow} wrong passcodes on your card&apos;s link within a day, so it takes no passcode until{" "}
              {formatDateTime(slowedUntil)}; then it opens again with the right one. The card still works after that. If your card is lost or someone
              photographed it, reissue it: the printed card then stops working.
            </p>
          )}
          <div className="emergency-card-qr">
            <QrCode text={live.text} label="QR code of your emergency card's link" size={200} />
          </div>
          <p data-testid="card-summary">
            {card.link.opened?.chosen} · {card.link.flag.includes("P") ? "with a passcode" : "no passcode"} · made {formatDateTime(card.link.createdAt)} ·
            expires {formatDateTime(card.link.expiresAt)}
          </p>
          <label htmlFor="card-link-text">The card&apos;s link</label>
          <input id="card-link-text" data-testid="card-link-text" readOnly value={live.text} />
          <button type="button" className="button" onClick={() => void download(null, live.text, live.settings)}>
            Download the card (PDF, without the passcode)
          </button>
          <button type="button" className="button button-secondary" onClick={() => setReissuing(!reissuing)} aria-expanded={reissuing}>
            Change or reissue the card
          </button>
          <h3>Who opened your card</h3>
          <LinkAccesses linkId={card.link.id} name="your emergency card" generation={generation} />
        </section>
      )}
      {(!card || reissuing) && !made && (
        <CardForm
          key={card?.link.id ?? "new"}
          entries={entries}
          card={card}
          namedContacts={namedContacts}
          onMade={(next) => {
            setReissuing(false);
            setMade(next);
            setGeneration((value) => value + 1);
          }}
        />
      )}
    </>
  );
}

function OwnCard() {
  const { entries: loaded, complete, error, ensureLoaded } = useChart();
  useEffect(() => {
    void ensureLoaded();
  }, [ensureLoaded]);
  // The set is chosen from the whole chart: a partial one could leave out records of a chosen kind.
  const entries = useMemo(() => (complete && loaded ? loaded.filter((entry): entry is OkEntry => entry.status === "ok") : null), [complete, loaded]);
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (!entries) return <p role="status">Decrypting your chart…</p>;
  return <CardPanel entries={entries} />;
}

/** The patient's emergency card: choose the emergency set, make or reissue the long-term link, download the PDF, see who opened it. */
export function EmergencyCardView() {
  return (
    <VaultGate>
      <OwnCard />
    </VaultGate>
  );
}
