import { fromBase64, toBase64 } from "@/crypto";

/**
 * A free-text note as FHIR keeps it: a DocumentReference whose first content is a
 * `text/plain` attachment with the text inline (`attachment.data`, base64 of UTF-8, FHIR
 * base64Binary). The one place that writes and reads that text; the bytes go through
 * crypto/'s base64, whatever the note's length.
 */

/**
 * The inline attachment that carries a note's text.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function noteAttachment(text: string): fhir4.Attachment {
  return { contentType: "text/plain", data: toBase64(new TextEncoder().encode(text)) };
}

/**
 * The text of a note (the first content's inline data), "" when it has none. Bytes that are
 * not UTF-8 read as U+FFFD rather than failing: the reader sees the rest of the note.
 * @throws CryptoError("malformed") when the data is not base64 (an imported file's fault; the
 *   caller decides what to show); CryptoError("not-ready") before cryptoReady()
 */
export function noteAttachmentText(resource: { content?: fhir4.DocumentReferenceContent[] }): string {
  const data = resource.content?.[0]?.attachment?.data;
  return typeof data === "string" ? new TextDecoder().decode(fromBase64(data)) : "";
}

/**
 * A note as a DocumentReference: `previous` (when editing) keeps every field the form does not
 * show; the id, title (`description`), text and first-written date come from here.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function noteResource(values: { title: string; text: string }, previous?: Partial<fhir4.DocumentReference>): fhir4.DocumentReference {
  return {
    ...previous,
    resourceType: "DocumentReference",
    id: previous?.id ?? crypto.randomUUID(),
    status: "current",
    type: { text: "Note" },
    description: values.title.trim(),
    // An instant (FHIR instant: with a zone), not a calendar day: when the note was first written.
    date: previous?.date ?? new Date().toISOString(),
    content: [{ attachment: noteAttachment(values.text) }],
  };
}

/**
 * The most UTF-8 bytes of text one note may hold. A record's encrypted content may be at most
 * 256 KiB (lib/records/content-limits.ts) and is padded to a power of two, so its plaintext
 * body must stay under 128 KiB; the text travels as base64 (4 bytes per 3) inside the
 * document's JSON, with a title of at most 120 characters and a few hundred bytes besides.
 * 90,000 bytes of text is 120,000 bytes of base64: the largest round number that always fits
 * (note.test.ts encrypts a note this long and checks).
 */
export const maxNoteTextBytes = 90_000;

/** Why a note's text cannot be saved as it is (too long), or undefined when it can. */
export function noteTextProblem(text: string): string | undefined {
  return new TextEncoder().encode(text).length > maxNoteTextBytes
    ? "This note is too long to save: keep it under 90,000 characters (fewer with accents or other scripts), or save longer text as a file."
    : undefined;
}
