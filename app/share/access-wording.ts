/**
 * The sentences the Sharing page says after a share ends, loses a record or changes: what
 * ended, and what access the clinician still has through their other shares. Pure, so each
 * case can be tested without a browser.
 */

const pluralRules = new Intl.PluralRules("en");

/** "1 record", "3 records". */
export const recordCount = (count: number) => `${new Intl.NumberFormat("en").format(count)} ${pluralRules.select(count) === "one" ? "record" : "records"}`;

/** A share as far as wording needs it: its id, the clinician, the record ids it opens now. */
export interface ShareAccess {
  id: string;
  clinicianId: string;
  recordIds: string[];
}

/** What the clinician can still open through their shares other than `shareId`, and how many such shares there are. */
function elsewhere(shareId: string, clinicianId: string, shares: ShareAccess[]) {
  const others = shares.filter((share) => share.id !== shareId && share.clinicianId === clinicianId);
  return { shares: others.length, recordIds: new Set(others.flatMap((share) => share.recordIds)) };
}

const through = (count: number) => (count === 1 ? "another share" : `${count} other shares`);

/** After `ended` (revoked or expired), given the clinician's other active shares. */
export function shareEndedMessage(name: string, ended: ShareAccess, activeShares: ShareAccess[]): string {
  const rest = elsewhere(ended.id, ended.clinicianId, activeShares);
  const lost = ended.recordIds.filter((id) => !rest.recordIds.has(id));
  const total = ended.recordIds.length;
  const first =
    total === 0
      ? `${name} can no longer open anything through this share.`
      : lost.length === 0
        ? `This share has ended, but ${name} can still open all of its ${recordCount(total)} through ${through(rest.shares)}.`
        : lost.length === total
          ? `${name} can no longer open the ${recordCount(total)} in this share.`
          : `${name} can no longer open ${lost.length} of the ${recordCount(total)} in this share.`;
  if (rest.shares === 0) return `${first} ${name} no longer has any access to your records.`;
  if (lost.length === 0 && total > 0) return first;
  return `${first} ${name} can still open ${recordCount(rest.recordIds.size)} through ${through(rest.shares)}.`;
}

/** After one record (`title`) was taken out of `share`, given the clinician's active shares (the changed one included, before the change). */
export function recordRemovedMessage(name: string, title: string, recordId: string, share: ShareAccess, activeShares: ShareAccess[]): string {
  const rest = elsewhere(share.id, share.clinicianId, activeShares);
  const stillHere = share.recordIds.filter((id) => id !== recordId);
  const first = rest.recordIds.has(recordId)
    ? `"${title}" is no longer in this share, but ${name} can still open it through ${through(rest.shares)}.`
    : `${name} can no longer open "${title}".`;
  return `${first} ${stillOpen(name, stillHere, rest)}`;
}

/** How much the clinician can open now: through this share, and through others. */
function stillOpen(name: string, here: string[], rest: { shares: number; recordIds: Set<string> }, verb = "can still open"): string {
  const everything = new Set([...here, ...rest.recordIds]);
  if (everything.size === 0) return `${name} no longer has any access to your records.`;
  const part = `${name} ${verb} ${recordCount(here.length)} through this share`;
  return rest.shares === 0 ? `${part}.` : `${part}, and ${recordCount(everything.size)} in all through it and ${through(rest.shares)}.`;
}

/**
 * After a change to `before` (now `after`): what it added and took away, the terms that
 * changed, and what the clinician can open now. `endsOn` is the new end date, formatted.
 */
export function shareChangedMessage(
  name: string,
  change: { added: number; removed: number; permission?: "read" | "contribute"; endsOn?: string | null },
  after: ShareAccess,
  activeShares: ShareAccess[],
): string {
  const parts: string[] = [];
  if (change.added > 0) parts.push(`added ${recordCount(change.added)}`);
  if (change.removed > 0) parts.push(`took out ${recordCount(change.removed)}`);
  if (change.permission) parts.push(change.permission === "read" ? `${name} can now only read, not add notes` : `${name} can now read and add notes`);
  if (change.endsOn !== undefined) parts.push(change.endsOn === null ? "it no longer has an end date" : `it now ends on ${change.endsOn}`);
  const what = parts.length ? `Changed your share with ${name}: ${parts.join("; ")}.` : `Your share with ${name} is unchanged.`;
  return `${what} ${stillOpen(name, after.recordIds, elsewhere(after.id, after.clinicianId, activeShares), "can now open")}`;
}

/** For a share that has ended: what the clinician can still open through their active shares. */
export function remainingAccess(name: string, ended: ShareAccess, activeShares: ShareAccess[]): string {
  const rest = elsewhere(ended.id, ended.clinicianId, activeShares);
  return rest.shares === 0
    ? `No other share with ${name} is active.`
    : `Still open to ${name} through ${through(rest.shares)}: ${recordCount(rest.recordIds.size)}.`;
}
