import { formatDay } from "@/client/format";
import type { EntryVerification } from "@/client/sharing/directory-verification";

/**
 * What the patient's browser found about a directory entry's verification (checked under
 * pinned administrator keys, never the server's word): verified with the details, withdrawn,
 * never verified, or offered but not accepted, and why.
 */
export function DirectoryBadge({ check }: { check: EntryVerification | undefined }) {
  if (!check) return <p className="hint">Checking whether this entry is verified…</p>;
  switch (check.state) {
    case "verified":
      return (
        <p className="verified-note" data-testid="entry-verified">
          ✓ Verified: licence or registry number {check.licenceNumber}, verified by {check.adminName} on {formatDay(check.issuedAt)}.
        </p>
      );
    case "revoked":
      return (
        <p className="entry-unverified" data-testid="entry-revoked">
          Not verified: {check.adminName} withdrew this entry&apos;s verification on {formatDay(check.issuedAt)}.
        </p>
      );
    case "unverified":
      return (
        <p className="entry-unverified" data-testid="entry-unverified">
          Not verified: no administrator has checked this entry. Compare the safety code before sharing.
        </p>
      );
    case "not-verified":
      return (
        <p className="entry-unverified" data-testid="entry-not-verified">
          Not verified: a verification came with this entry, but {check.reason}.
        </p>
      );
  }
}

/** The flag on entries that share a name with another in the same results. */
export function SameNameFlag({ count }: { count: number }) {
  if (count < 2) return null;
  return (
    <p className="same-name-warning" data-testid="same-name-warning">
      ⚠ {count} clinicians share this name: compare their organization, verification and safety code before choosing.
    </p>
  );
}
