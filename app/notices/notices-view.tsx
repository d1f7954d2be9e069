"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { countOf, formatDateTime } from "@/client/format";
import { describeNotice, foldedWhen, listNotices, markNoticesRead, watchNotices, type Notice } from "@/client/notices/notices";
import { reportIfBug } from "@/client/failures";

type Shown = Notice & { words: string };

/**
 * The notice centre: the person's newest notices, newest first, each in words (who, where the
 * browser can tell from a clinician's directory entry), how often and when; read or not. The
 * list reloads whenever the live stream says the notices changed (another page, another
 * device, a clinician's read on another server).
 */
export function NoticesView() {
  const [shown, setShown] = useState<Shown[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [message, setMessage] = useState<string>();
  const names = useRef(new Map<string, Promise<string | null>>());
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
    const described = await Promise.all(page.notices.map(async (notice) => ({ ...notice, words: await describeNotice(notice, names.current) })));
    setShown(described);
    setUnread(page.unread);
  }, []);

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

  return (
    <section className="card" aria-labelledby="notice-list-title">
      <h2 id="notice-list-title" tabIndex={-1}>
        What happened
      </h2>
      {shown === null ? (
        <p role="status">Loading…</p>
      ) : shown.length === 0 ? (
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
