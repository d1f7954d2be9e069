"use client";

import { useEffect, useId, useState, type FormEvent } from "react";
import { noticeKinds, noticeKindsFor, type NoticeKind } from "@/contract/notices";
import { noticeSettings, saveNoticeSettings } from "@/client/notices/notices";
import { ApiError } from "@/client/transport/api";
import { describeFailure, reportIfBug } from "@/client/failures";

/** What a save did, in words that never promise an email a deployment without SMTP will not send. */
export function savedMessage(wantsEmail: boolean, emailAvailable: boolean): string {
  if (!wantsEmail) return "Saved. You chose no emails.";
  if (!emailAvailable) return "Saved. This service does not send email at the moment: your choices will apply when it does.";
  return "Saved. Emails will go to this address.";
}

/**
 * Email notices: the address (kept by the server for this only; not health data) and the kinds
 * to email (those a person in `role` can get). Emails say only that something happened, never who or what.
 */
export function NoticeSettingsSection({ role }: { role: "patient" | "doctor" | "nurse" | "admin" }) {
  const [loaded, setLoaded] = useState<{ emailAvailable: boolean } | null>(null);
  const [email, setEmail] = useState("");
  const [kinds, setKinds] = useState<NoticeKind[]>([]);
  const [message, setMessage] = useState<string>();
  const [emailError, setEmailError] = useState<string>();
  const emailId = useId();
  const emailErrorId = useId();

  useEffect(() => {
    noticeSettings().then(
      (settings) => {
        setEmail(settings.email ?? "");
        setKinds(settings.emailKinds);
        setLoaded({ emailAvailable: settings.emailAvailable });
      },
      (error: unknown) => {
        reportIfBug(error);
        setMessage("Your notice settings could not be loaded.");
      },
    );
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setEmailError(undefined);
    try {
      const saved = await saveNoticeSettings({ email: email.trim() === "" ? null : email.trim(), emailKinds: kinds });
      setEmail(saved.email ?? "");
      setKinds(saved.emailKinds);
      setMessage(savedMessage(saved.email !== null && saved.emailKinds.length > 0, loaded?.emailAvailable ?? false));
    } catch (error) {
      if (error instanceof ApiError && error.fields.some((field) => field.path === "email")) {
        setEmailError("Enter an email address such as name@example.org, or leave it empty for no emails.");
        document.getElementById(emailId)?.focus();
        return;
      }
      // A signed-out tab (or a deleted account's) is told so by the server's own message, not "try again".
      setMessage(
        `Your notice settings could not be saved. ${describeFailure(error, {
          accessEnded: "Your session has ended: sign in again to change them.",
          integrity: "Please reload the page and try again.",
          unreachable: "Could not reach Health Safe Cloud: check your connection and try again.",
        })}`,
      );
    }
  };

  return (
    <section className="card" aria-labelledby="notice-settings-title">
      <h2 id="notice-settings-title">Email notices</h2>
      {loaded === null ? (
        <p role="status">Loading…</p>
      ) : (
        <form onSubmit={(event) => void save(event)} noValidate>
          {!loaded.emailAvailable && <p className="hint">This service does not send email at the moment. Your choices are kept for when it does.</p>}
          <p className="hint">
            An email only says that something happened, never who or what, and at most once per kind every so often. The address is kept by this service for
            these emails only.
          </p>
          <label htmlFor={emailId}>Email address for notices</label>
          <input
            id={emailId}
            type="email"
            autoComplete="email"
            value={email}
            aria-invalid={emailError !== undefined}
            aria-describedby={emailError ? emailErrorId : undefined}
            onChange={(event) => setEmail(event.target.value)}
          />
          {emailError && (
            <p id={emailErrorId} className="field-error">
              {emailError}
            </p>
          )}
          <fieldset className="choices">
            <legend>Email me when</legend>
            {noticeKindsFor(role).map((kind) => (
              <label key={kind} className="check-row">
                <input
                  type="checkbox"
                  checked={kinds.includes(kind)}
                  onChange={(event) => setKinds((was) => (event.target.checked ? [...was, kind] : was.filter((entry) => entry !== kind)))}
                />
                {noticeKinds[kind].label}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="button">
            Save email settings
          </button>
        </form>
      )}
      <p role="status" aria-live="polite" className="progress-text">
        {message}
      </p>
    </section>
  );
}
