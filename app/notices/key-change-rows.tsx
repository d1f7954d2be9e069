"use client";

import { useState } from "react";
import { formatDateTime, formatDay } from "@/client/format";
import { KeyChangedError } from "@/client/sharing/contacts";
import type { ChangedContact } from "@/client/sharing/contact-key-check";
import { KeyChangedWarning } from "../share/key-changed-warning";

/** Who a changed contact is, in words: the directory name served with the keys, else their kind. */
export function changedContactName(contact: Pick<ChangedContact, "kind" | "name">): string {
  if (contact.name) return contact.name;
  return contact.kind === "admin" ? "a deployment administrator" : contact.kind === "clinician" ? "a clinician you share with" : "a contact of yours";
}

/** What to do about one changed contact, in plain words. */
export function whatToDo(contact: Pick<ChangedContact, "kind" | "pinned">): string {
  if (contact.kind === "admin") {
    return "Entries this administrator verified now show as not verified. Ask the people who run this service whether the administrator's key was replaced.";
  }
  return `Your app remembered their keys on ${formatDay(contact.pinned.pinnedAt)}. Nothing new is shared with them until you meet or call them and compare the safety code they see with the one shown here, as on the Sharing page. This happens when someone sets up their account again, but it is also what an attack would look like.`;
}

/**
 * The notice centre's rows for pinned contacts whose keys changed: decided in this browser
 * (client/sharing/contact-key-check.ts), never reported to the server. "Compare the safety
 * code" opens the share page's comparison in place; trusting the new keys re-pins them.
 */
export function KeyChangeRows({ changed, onReverified }: { changed: readonly ChangedContact[]; onReverified: () => void }) {
  const [comparing, setComparing] = useState<string | null>(null);
  return (
    <>
      {changed.map((contact) => {
        const name = changedContactName(contact);
        const id = `key-change-${contact.userId}`;
        return (
          <li key={contact.userId} className="list-row" data-testid="notice-row" data-kind="contact-key-changed" data-read="false">
            <div>
              <strong id={id} tabIndex={-1}>
                {`New: A pinned contact's key changed: ${name}`}
              </strong>
              <p className="hint">Noticed by this browser {formatDateTime(contact.noticedAt)}</p>
              <p className="hint">{whatToDo(contact)}</p>
              {comparing === contact.userId && contact.kind !== "admin" && (
                <KeyChangedWarning
                  error={new KeyChangedError(contact.userId, contact.pinned)}
                  served={contact.keys}
                  who={contact.kind === "clinician" ? "this clinician" : "your contact"}
                  onReverified={() => {
                    setComparing(null);
                    onReverified();
                  }}
                  onDismiss={() => {
                    setComparing(null);
                    document.getElementById(id)?.focus();
                  }}
                />
              )}
            </div>
            {contact.kind !== "admin" && comparing !== contact.userId && (
              <button
                type="button"
                className="button button-small button-secondary"
                aria-label={`Compare the safety code: ${name}`}
                onClick={() => setComparing(contact.userId)}
              >
                Compare the safety code
              </button>
            )}
          </li>
        );
      })}
    </>
  );
}
