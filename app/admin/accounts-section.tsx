"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { AdminAccount } from "@/contract/admin-console";
import { findAccounts, setAccountDisabled } from "@/client/admin/admin-accounts";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { formatDateTime } from "@/client/format";
import { ApiError } from "@/client/transport/api";

const roleWords = { patient: "Patient", doctor: "Doctor", nurse: "Nurse", admin: "Administrator" } as const;

/** What a person is called here: a clinician by their public directory name, anyone else by role and the start of their id. */
const nameOf = (account: AdminAccount) => account.displayName ?? `${roleWords[account.role]} ${account.userId.slice(0, 8)}`;

/** The start of the account id, which tells namesakes apart (the search takes the whole id). */
const shortId = (account: AdminAccount) => account.userId.slice(0, 8);

/** What disabling does to this kind of account, for the confirmation. */
function disablingEffect(account: AdminAccount): string {
  if (account.role === "patient")
    return "They are signed out at once and cannot sign in. What they already shared stays readable by their clinicians; they can end those shares once enabled again.";
  if (account.role === "admin") return "They are signed out at once and cannot sign in or administer this service until you enable the account again.";
  return "They are signed out at once and cannot sign in, and every share with them stops serving (patients see that they are disabled) until you enable the account again.";
}

function failureOf(error: unknown): string {
  if (error instanceof FreshProofNotGivenError || error instanceof ApiError) return error.message;
  return "That did not work. Check your connection and try again.";
}

/** Finding accounts and disabling or enabling them; `onChanged` after each change. */
export function AccountsSection({ selfId, onChanged }: { selfId: string; onChanged: () => void }) {
  const [q, setQ] = useState("");
  const [accounts, setAccounts] = useState<AdminAccount[] | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const [busy, setBusy] = useState<string | null>(null);
  // After a change the focus goes to its outcome, not back to the top of the page.
  const statusRef = useRef<HTMLParagraphElement>(null);

  const load = useCallback(async (search: string) => {
    try {
      setAccounts(await findAccounts(search));
    } catch (error) {
      setMessage({ text: failureOf(error), error: true });
    }
  }, []);
  useEffect(() => {
    // The first list, once: later ones come from the search form and after each change.
    void findAccounts("").then(setAccounts, (error: unknown) => setMessage({ text: failureOf(error), error: true }));
  }, []);

  const toggle = async (account: AdminAccount) => {
    const disabling = account.disabledAt === null;
    if (disabling && !window.confirm(`Disable ${nameOf(account)} (${roleWords[account.role]}, account ${shortId(account)})? ${disablingEffect(account)}`))
      return;
    setBusy(account.userId);
    setMessage({ text: `${disabling ? "Disabling" : "Enabling"} ${nameOf(account)}… If your passkey asks, confirm with it.`, error: false });
    try {
      await setAccountDisabled(account.userId, disabling);
      setMessage({ text: `${nameOf(account)} is ${disabling ? "disabled" : "enabled again"}.`, error: false });
      onChanged();
      await load(q);
    } catch (error) {
      setMessage({ text: failureOf(error), error: true });
    } finally {
      setBusy(null);
      statusRef.current?.focus();
    }
  };

  const sameName = new Map<string, number>();
  for (const account of accounts ?? []) sameName.set(nameOf(account), (sameName.get(nameOf(account)) ?? 0) + 1);

  return (
    <section aria-labelledby="admin-accounts-title">
      <h2 id="admin-accounts-title">Accounts</h2>
      <p className="hint">
        A disabled account is signed out at once and cannot sign in; a disabled clinician is refused every share, and patients see that the clinician is
        disabled. Each change asks for your passkey if you have not used it in the last few minutes.
      </p>
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void load(q);
        }}
      >
        <div className="field">
          <label htmlFor="admin-account-search">Clinician&apos;s name or account id</label>
          <input id="admin-account-search" value={q} onChange={(event) => setQ(event.target.value)} autoComplete="off" />
        </div>
        <button type="submit" className="button button-small">
          Find accounts
        </button>
      </form>
      <p ref={statusRef} tabIndex={-1} role={message?.error ? "alert" : "status"} className={message?.error ? "form-error" : undefined}>
        {message?.text}
      </p>
      {accounts === null ? (
        <p>Loading accounts…</p>
      ) : accounts.length === 0 ? (
        <p>No account matches.</p>
      ) : (
        <ul className="list">
          {accounts.map((account) => (
            <li key={account.userId} className="list-row" data-testid="admin-account-row">
              <div>
                <strong>{nameOf(account)}</strong>
                <p className="hint">
                  {roleWords[account.role]} · account {shortId(account)} · since {formatDateTime(account.createdAt)} ·{" "}
                  {account.disabledAt ? `disabled ${formatDateTime(account.disabledAt)}` : "active"}
                  {account.userId === selfId ? " · you" : ""}
                </p>
                {(sameName.get(nameOf(account)) ?? 0) > 1 && (
                  <p className="same-name-warning">{sameName.get(nameOf(account))} accounts here share this name: tell them apart by the account id.</p>
                )}
              </div>
              {account.userId !== selfId && (
                <div className="row-actions">
                  <button
                    type="button"
                    className={account.disabledAt ? "button button-small" : "button button-small button-secondary"}
                    disabled={busy !== null}
                    aria-label={`${account.disabledAt ? "Enable" : "Disable"} ${nameOf(account)} (account ${shortId(account)})`}
                    onClick={() => void toggle(account)}
                  >
                    {account.disabledAt ? "Enable" : "Disable"}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
