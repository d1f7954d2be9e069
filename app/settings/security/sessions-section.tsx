"use client";

import { useCallback, useEffect, useState } from "react";
import { countOf, formatDateTime } from "@/client/format";
import { listSessions, signOutOtherSessions, type SessionSummary } from "@/client/account/security";
import { reportIfBug } from "@/client/failures";

export function SessionsSection() {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [message, setMessage] = useState<string>();

  const refresh = useCallback(async () => {
    setSessions((await listSessions()).sessions);
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh().catch((error: unknown) => {
      reportIfBug(error);
      setMessage("Your sessions could not be loaded.");
    });
  }, [refresh]);

  const others = sessions?.filter((session) => !session.current).length ?? 0;
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Signed-in sessions</h2>
      {sessions === null ? (
        <p role="status">Loading…</p>
      ) : (
        <ul className="list">
          {sessions.map((session) => (
            <li key={session.id} className="list-row" data-testid="session-row">
              <div>
                <strong>{session.current ? "This browser" : "Another browser"}</strong>
                <p className="hint">
                  Signed in {formatDateTime(session.createdAt)} · last active {formatDateTime(session.lastSeenAt)}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="button button-secondary"
        disabled={others === 0}
        onClick={async () => {
          const { ended } = await signOutOtherSessions();
          setMessage(`Signed out ${countOf(ended, "other session")}.`);
          await refresh();
        }}
      >
        Sign out everywhere else
      </button>
      <p role="status" aria-live="polite" className="progress-text">
        {message}
      </p>
    </section>
  );
}
