import type { VersionAuthor } from "./records";

/**
 * One line saying who wrote a record, from its verified version authors (oldest first), as
 * the viewer should read it: "Added by Dr Ada Lovelace (doctor) · edited by the patient".
 * `ownerId` is the patient whose chart holds the record, `viewerId` the person reading.
 * Returns null for a record the patient wrote and nobody else touched (nothing to say).
 * A key rotation is not a version, so it never appears here.
 */
export function authorshipLine(authors: VersionAuthor[], ownerId: string, viewerId: string): string | null {
  if (authors.length === 0) return null;
  const nameOf = (entry: VersionAuthor) => (entry.author.userId === viewerId ? "you" : entry.author.userId === ownerId ? "the patient" : entry.author.name);
  const creator = authors[0]!;
  const parts: string[] = [];
  if (creator.author.userId !== ownerId) parts.push(`Added by ${nameOf(creator)}`);
  // Everyone who edited it after its creator, in the order of their latest edit, each named once.
  const editors: VersionAuthor[] = [];
  for (const entry of authors.slice(1)) {
    const at = editors.findIndex((editor) => editor.author.userId === entry.author.userId);
    if (at >= 0) editors.splice(at, 1);
    editors.push(entry);
  }
  const named = editors.filter((editor) => editor.author.userId !== creator.author.userId || editors.length > 1);
  if (named.length > 0 && (parts.length > 0 || named.some((editor) => editor.author.userId !== ownerId))) {
    const list = named.map(nameOf);
    const text = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
    parts.push(parts.length > 0 ? `edited by ${text}` : `Edited by ${text}`);
  }
  return parts.length > 0 ? parts.join(" · ") : null;
}

/** How the history names one version's author for the viewer: "you", "the patient" or the clinician's directory name. */
export function versionAuthorName(entry: { author: { userId: string; name: string } }, ownerId: string, viewerId: string): string {
  return entry.author.userId === viewerId ? "you" : entry.author.userId === ownerId ? "the patient" : entry.author.name;
}
