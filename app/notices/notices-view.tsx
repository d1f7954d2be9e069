"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import Link from "next/link";
import { noticeActionOf } from "./notice-actions";
import { countOf, formatDateTime } from "@/client/format";
import { noticeKinds } from "@/contract/notices";
import {
  describeNotice,
  foldedWhen,
  listNotices,
  markNoticesRead,
  noClinicianNames,
  watchNotices,
  type ClinicianNames,
  type Notice,
} from "@/client/notices/notices";
import { useKeyChanges } from "@/client/notices/key-change-notices";
import { failureKind, reportIfBug } from "@/client/failures";
import { signIn, unlockOnThisDevice } from "@/client/account/sign-in";
import { useVault } from "@/client/keystore/vault-store";
import { loadRevealedShares, revealedNamesOf } from "@/client/sharing/sharing";
import { rememberShownNames } from "@/client/keystore/vault-profile";
import type { UnlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { KeyChangeRows } from "./key-change-rows";

type Shown = Notice & { words: string; action: { href: string; text: string } | undefined };
type Role = "patient" | "doctor" | "nurse" | "admin";

/** Whether an unlock failure is one of the expected ones (a cancelled prompt, a refusal, an outage), not a bug. */
const expectedUnlockFailure = (caught: unknown) =>
  failureKind(caught) !== null || (caught instanceof DOMException && (caught.name === "NotAllowedError" || caught.name === "AbortError"));

/**
 * Keeps, in the clinician's encrypted vault, the patients' names just shown in their notices, so
 * a notice about a share that has since ended still names its patient. Best effort: only a bug is not let go.
 */
function rememberPatients(vault: UnlockedVault, revealed: ReadonlyMap<string, string>) {
  if (revealed.size === 0) return;
  void rememberShownNames(vault, { patients: Object.fromEntries(revealed), records: {} }).catch((caught: unknown) => {
    if (failureKind(caught) === null) throw caught;
  });
}

/**
 * The open vault, for what only this browser can tell: whether a pinned contact's keys changed
 * (a patient's), and the names patients revealed (a clinician's). This device's key unlocks it
 * quietly; otherwise the notices still show, with a button to unlock.
 */
function useVaultForNotices() {
  const vault = useVault((state) => state.vault);
  const [quietTried, setQuietTried] = useState(false);
  useEffect(() => {
    if (vault.status !== "locked" || quietTried) return;
    let cancelled = false;
    unlockOnThisDevice()
      .catch((caught: unknown) => {
        if (!expectedUnlockFailure(caught)) throw caught;
      })
      .finally(() => !cancelled && setQuietTried(true));
    return () => {
      cancelled = true;
    };
  }, [vault.status, quietTried]);
  return { vault, locked: vault.status === "locked" && quietTried };
}

/**
 * The notice centre: the person's newest notices, newest first, each in words (who, where the
 * browser can tell from a clinician's directory entry), how often and when; read or not. The
 * list reloads whenever the live stream says the notices changed (another page, another
 * device, a clinician's read on another server).
 */
export function NoticesView({ role }: { role: Role }) {
  const [shown, setShown] = useState<Shown[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [message, setMessage] = useState<string>();
  const [keyCheckProblem, setKeyCheckProblem] = useState<string>();
  const [unlockProblem, setUnlockProblem] = useState<string>();
  const names = useRef(new Map<string, Promise<string | null>>());
  const { vault, locked } = useVaultForNotices();
  const keyCheck = useKeyChanges((state) => state.check);
  const isClinician = role === "doctor" || role === "nurse";
  const unlocked = vault.status === "unlocked" ? vault : null;

  // A patient's pinned contacts, checked afresh each time the notice centre opens (and after a re-verify changes the pins).
  const checkKeys = useCallback(async (fresh: boolean) => {
    const open = useVault.getState().vault;
    if (open.status !== "unlocked") return;
    try {
      const check = await useKeyChanges.getState().run(open, { fresh });
      setKeyCheckProblem(
        check.unchecked > 0 ? `The keys of ${countOf(check.unchecked, "contact")} could not be checked just now. They are checked again next time.` : undefined,
      );
    } catch (caught) {
      if (failureKind(caught) === null) throw caught;
      setKeyCheckProblem("Your contacts' keys could not be checked just now. Please reload the page to try again.");
    }
  }, []);
  const unlockedId = unlocked?.userId;
  useEffect(() => {
    if (unlockedId === undefined || role !== "patient") return;
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void checkKeys(true);
  }, [unlockedId, role, checkKeys]);

  // A clinician's notices about patients name them as the patients chose to be shown: the shares held (read again when a
  // clinician notice is new or folds a new event: a share may have started or ended), and the names the vault remembers.
  const clinicianNames = useRef<ClinicianNames>(noClinicianNames);
  const checkedNotices = useRef(new Set<string>());
  const namesFor = useCallback(
    async (listed: readonly Notice[]) => {
      const open = useVault.getState().vault;
      if (!isClinician || open.status !== "unlocked") return clinicianNames.current;
      const about = listed.filter((notice) => noticeKinds[notice.kind].audience === "clinician").map((notice) => `${notice.id}:${notice.count}`);
      if (about.every((key) => checkedNotices.current.has(key))) return clinicianNames.current;
      try {
        const shares = await loadRevealedShares(open, httpTransport);
        for (const key of about) checkedNotices.current.add(key);
        const revealed = revealedNamesOf(shares);
        clinicianNames.current = {
          shares,
          patients: new Map([...clinicianNames.current.patients, ...Object.entries(open.profile.shownNames?.patients ?? {}), ...revealed]),
        };
        rememberPatients(open, revealed);
      } catch (caught) {
        // Names that cannot be had leave the fixed words; a bug is not one of those.
        if (failureKind(caught) === null) throw caught;
      }
      return clinicianNames.current;
    },
    [isClinician],
  );
  // After a "Mark as read" its button is gone: focus goes to that notice's words (or, after
  // "Mark all", to the list's heading), once the list has rendered again, not to the page's top.
  const focusAfterRender = useRef<string | null>(null);
  useEffect(() => {
    const target = focusAfterRender.current;
    if (target === null) return;
    focusAfterRender.current = null;
    document.getElementById(target)?.focus();
  }, [shown]);

  const refresh = useCallback(async () => {
    const page = await listNotices();
    const known = await namesFor(page.notices);
    const described = await Promise.all(
      page.notices.map(async (notice) => ({
        ...notice,
        words: await describeNotice(notice, names.current, httpTransport, known),
        action: noticeActionOf(notice, known.shares),
      })),
    );
    setShown(described);
    setUnread(page.unread);
  }, [namesFor]);

  // A vault opened after the list loaded can name the patients in it.
  useEffect(() => {
    if (unlockedId === undefined || !isClinician) return;
    void refresh().catch(reportIfBug);
  }, [unlockedId, isClinician, refresh]);

  useEffect(
    () =>
      // The stream's first event comes at once and loads the list; every later one reloads it.
      watchNotices(() => {
        void refresh().catch((error: unknown) => {
          reportIfBug(error);
          setMessage("Your notices could not be loaded. Please reload the page.");
        });
      }),
    [refresh],
  );

  const markRead = async (which: { ids: string[] } | { all: true }) => {
    try {
      setUnread(await markNoticesRead(which));
      focusAfterRender.current = "all" in which ? "notice-list-title" : `notice-${which.ids[0]}`;
      await refresh();
      setMessage("all" in which ? "All notices marked as read." : "Notice marked as read.");
    } catch (error) {
      reportIfBug(error);
      setMessage("The notice could not be marked as read. Please try again.");
    }
  };

  const changed = role === "patient" ? (keyCheck?.changed ?? []) : [];

  return (
    <section className="card" aria-labelledby="notice-list-title">
      <h2 id="notice-list-title" tabIndex={-1}>
        What happened
      </h2>
      {(role === "patient" || isClinician) && locked && (
        <div className="hint" data-testid="key-check-locked">
          <p>
            {isClinician
              ? "Your vault is locked, so this browser cannot tell which patient each notice is about."
              : "Your vault is locked, so this browser cannot check whether a contact's keys changed."}
          </p>
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={async () => {
              setUnlockProblem(undefined);
              try {
                await signIn();
              } catch (caught) {
                if (!expectedUnlockFailure(caught)) throw caught;
                setUnlockProblem("The passkey did not unlock your vault. Try again, or use your recovery key on the Unlock page.");
              }
            }}
          >
            {isClinician ? "Unlock to see patients' names" : "Unlock to check contacts' keys"}
          </button>
          {unlockProblem && (
            <p className="form-error" role="alert">
              {unlockProblem}
            </p>
          )}
        </div>
      )}
      {keyCheckProblem && <p className="hint">{keyCheckProblem}</p>}
      {changed.length > 0 && (
        <ul className="list" data-testid="key-change-list" aria-label="Contacts whose keys changed">
          <KeyChangeRows changed={changed} onReverified={() => void checkKeys(true)} />
        </ul>
      )}
      {shown === null ? (
        <p role="status">Loading…</p>
      ) : shown.length === 0 && changed.length === 0 ? (
        <p>
          No notices yet. When something happens that you may want to know (someone opens what you shared, a link of yours is opened, a passkey is added to your
          account), it shows here.
        </p>
      ) : (
        <>
          <p className="hint">{countOf(unread, "unread notice")}</p>
          <ul className="list" data-testid="notice-list">
            {shown.map((notice) => (
              <li key={notice.id} className="list-row" data-testid="notice-row" data-kind={notice.kind} data-read={notice.read}>
                <div>
                  <strong id={`notice-${notice.id}`} tabIndex={-1}>
                    {notice.read ? notice.words : `New: ${notice.words}`}
                  </strong>
                  <p className="hint">{foldedWhen(notice.count, formatDateTime(notice.firstAt), formatDateTime(notice.lastAt))}</p>
                  {notice.action && (
                    <p>
                      <Link href={notice.action.href}>{notice.action.text}</Link>
                    </p>
                  )}
                </div>
                {!notice.read && (
                  <button
                    type="button"
                    className="button button-small button-secondary"
                    aria-label={`Mark as read: ${notice.words}`}
                    onClick={() => void markRead({ ids: [notice.id] })}
                  >
                    Mark as read
                  </button>
                )}
              </li>
            ))}
          </ul>
          <button type="button" className="button button-secondary" disabled={unread === 0} onClick={() => void markRead({ all: true })}>
            Mark all as read
          </button>
        </>
      )}
      <p role="status" aria-live="polite" className="progress-text">
        {message}
      </p>
    </section>
  );
}
