/** Plain words for audit actions. */
export const actionLabels: Record<string, string> = {
  "sign-in": "Signed in",
  "sign-in-failed": "Failed sign-in with one of your passkeys",
  "passkey-added": "Added a passkey",
  "passkey-renamed": "Renamed a passkey",
  "passkey-removed": "Removed a passkey",
  "account-recovered": "Recovered the account with the recovery key",
  "recovery-key-changed": "Made a new recovery key",
  "record-created": "Added a record",
  "record-updated": "Edited a record",
  "record-deleted": "Deleted a record",
  "record-key-rotated": "Moved a record to a new key",
  "chart-fetched": "Opened the chart",
  "record-versions-fetched": "Opened a record's versions",
  "record-fetched": "Opened a record",
  "file-fetched": "Downloaded a file",
  "share-key-fetched": "Fetched the key of a share",
  "records-exported": "Exported records",
  "grant-created": "Shared records",
  "grant-revoked": "Revoked a share",
  "grant-record-revoked": "Stopped sharing a record",
  "grant-changed": "Changed a share",
  "grant-permission-changed": "Changed what a share allows",
  "grant-end-date-changed": "Changed when a share ends",
  "grant-record-added": "Added a record to a share",
  "grant-expired": "A share ended on its end date",
  "access-refused": "Was refused access",
};

export const labelOf = (action: string) => actionLabels[action] ?? action;

export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });

export const outcomeLabel = (outcome: string) => (outcome === "success" ? "Done" : outcome === "denied" ? "Refused" : "Failed");
