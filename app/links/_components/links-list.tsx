"use client";

import { useRef, useState } from "react";
import { shlLimits } from "@/contract/links";
import { useSwapFocus } from "@/app/_components/use-swap-focus";
import { describeFailure } from "@/client/failures";
import { countOf, formatDateTime } from "@/client/format";
import { revokeLink, type ListedLink } from "@/client/links/make-link";
import { httpTransport } from "@/client/transport/api";
import { LinkAccesses } from "./link-accesses";

const stateWords: Record<ListedLink["state"], string> = {
  live: "Live",
  expired: "Expired",
  revoked: "Revoked",
  disabled: "Stopped after too many wrong passcodes",
};

/** A link's name in the list: its label, or a plain note when the label did not open. */
const nameOf = (link: ListedLink) => link.opened?.label || (link.opened ? "Link without a label" : "A link whose label could not be verified");

function LinkRow({ link, onChanged, onRevoked }: { link: ListedLink; onChanged: () => Promise<void>; onRevoked: (name: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [showAccesses, setShowAccesses] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const name = nameOf(link);
  const live = link.state === "live";
  // "Revoke" goes away while the question is asked: focus moves to the question, and back to "Revoke" on "Keep it".
  const { inside: question, opener: revokeButton } = useSwapFocus<HTMLParagraphElement, HTMLButtonElement>(confirming);

  async function revoke() {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await revokeLink(link.id, httpTransport);
      // The row leaves the live list with the refresh; the list then says so and takes the focus.
      await onChanged();
      onRevoked(name);
    } catch (caught) {
      setError(
        describeFailure(caught, {
          accessEnded: "This link no longer exists.",
          integrity: "The answer could not be verified. Reload the page.",
          unreachable: "The link could not be revoked: Health Safe Cloud could not be reached. Try again.",
        }),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="list-row" data-testid="link-row">
      <div>
        <strong data-testid="link-label">{name}</strong>
        {link.opened?.chosen && <p className="hint">{link.opened.chosen}</p>}
        <p className="hint">
          <span className="link-state" data-testid="link-state">
            {stateWords[link.state]}
          </span>{" "}
          · {link.flag.includes("P") ? "passcode" : "no passcode"} · {link.flag.includes("L") ? "long-term · " : ""}
          {live ? "expires" : "expiry"} {formatDateTime(link.expiresAt)}
          {link.revokedAt ? ` · revoked ${formatDateTime(link.revokedAt)}` : ""} · <span data-testid="link-opens">opened {countOf(link.opens, "time")}</span>
          {link.remainingAttempts !== null && live ? ` · ${attemptsWords(link)}` : ""}
        </p>
        {showAccesses && <LinkAccesses linkId={link.id} name={name} />}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {confirming && (
          <div role="group" aria-label={`Revoke ${name}?`} className="actions">
            <p ref={question} tabIndex={-1}>
              Revoke “{name}”? It stops opening at once, for everyone. What someone already opened, they may have kept.
            </p>
            <button type="button" className="button button-small" onClick={revoke} aria-disabled={busy}>
              {busy ? "Revoking…" : "Yes, revoke it"}
            </button>
            <button type="button" className="button button-small button-secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        )}
      </div>
      <div className="actions">
        <button type="button" className="button button-small button-secondary" aria-expanded={showAccesses} onClick={() => setShowAccesses((was) => !was)}>
          {showAccesses ? "Hide accesses" : "Accesses"}
          <span className="visually-hidden"> of {name}</span>
        </button>
        {live && !confirming && (
          <button type="button" className="button button-small" onClick={() => setConfirming(true)} ref={revokeButton}>
            Revoke<span className="visually-hidden"> {name}</span>
          </button>
        )}
      </div>
    </li>
  );
}

/** The person's links: live ones (with Revoke), then the expired, revoked and stopped ones apart; each with its accesses. */

/**
 * A live passcode link's guard in words: an ordinary link's wrong passcodes left before it
 * stops; a long-term one (the emergency card) is slowed instead (contract/links.ts
 * `longTermGuesses`), and says until when while it is.
 */
function attemptsWords(link: ListedLink): string {
  if (!link.flag.includes("L")) return `${countOf(link.remainingAttempts ?? 0, "wrong passcode")} left before it stops`;
  if (link.throttledUntil) return `slowed after wrong passcodes: takes none until ${formatDateTime(link.throttledUntil)}`;
  return `slowed (never stopped) after ${shlLimits.longTermGuesses.perWindow} wrong passcodes in a day`;
}
export function LinksList({ links, error, onChanged }: { links: ListedLink[] | null; error?: string; onChanged: () => Promise<void> }) {
  const live = links?.filter((link) => link.state === "live") ?? [];
  const ended = links?.filter((link) => link.state !== "live") ?? [];
  const liveTitle = useRef<HTMLHeadingElement>(null);
  const [revoked, setRevoked] = useState<string>();
  // A revoked link's row (and its buttons) leave this list: focus goes to the list's heading, and the status says what happened.
  const onRevoked = (name: string) => {
    setRevoked(`“${name}” is revoked.`);
    liveTitle.current?.focus();
  };
  return (
    <>
      <section className="card links-no-print" aria-labelledby="live-links-title" data-testid="live-links">
        <h2 id="live-links-title" ref={liveTitle} tabIndex={-1}>
          Your live links
        </h2>
        <p role="status" aria-live="polite" data-testid="links-status">
          {revoked}
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {links === null && !error && <p role="status">Loading your links…</p>}
        {links !== null && live.length === 0 && <p>No link opens now.</p>}
        <ul className="list">
          {live.map((link) => (
            <LinkRow key={link.id} link={link} onChanged={onChanged} onRevoked={onRevoked} />
          ))}
        </ul>
      </section>
      {ended.length > 0 && (
        <section className="card links-no-print" aria-labelledby="ended-links-title" data-testid="ended-links">
          <h2 id="ended-links-title">Expired and revoked links</h2>
          <ul className="list">
            {ended.map((link) => (
              <LinkRow key={link.id} link={link} onChanged={onChanged} onRevoked={onRevoked} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
