import { noteAttachment, noteAttachmentText, noteTextProblem } from "../note";
import { isObject, type FhirResource } from "../types";

/**
 * An edited note (FHIR R4 DocumentReference): a copy of `previous` where only what the person
 * changed is written. A changed title is `description` (removed when cleared); a changed text
 * replaces the first content's inline `data`, keeping the attachment's other details
 * (contentType, language, title, creation), with `size` counted afresh and `hash` removed (it
 * was the old bytes' SHA-1). The note's type, status, date and everything else stay.
 * @param before the title and text the form read from `previous`
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function editNoteResource(previous: FhirResource, before: { title: string; text: string }, values: { title: string; text: string }): FhirResource {
  const resource = structuredClone(previous);
  if (values.title.trim() !== before.title.trim()) {
    if (values.title.trim()) resource.description = values.title.trim();
    else delete resource.description;
  }
  if (values.text !== before.text) {
    const contents = Array.isArray(resource.content) ? [...(resource.content as unknown[])] : [];
    const first = isObject(contents[0]) ? contents[0] : {};
    const attachment: Record<string, unknown> = { ...(isObject(first.attachment) ? first.attachment : { contentType: "text/plain" }) };
    const { data } = noteAttachment(values.text);
    attachment.data = data;
    delete attachment.hash;
    if (attachment.size !== undefined) attachment.size = new TextEncoder().encode(values.text).length;
    contents[0] = { ...first, attachment };
    resource.content = contents;
  }
  return resource;
}

/** The text a note's resource holds (its first content's inline data). */
export const noteTextOf = (resource: FhirResource): string => noteAttachmentText(resource as { content?: fhir4.DocumentReferenceContent[] });

/** What is wrong with an edited note's fields, by field; empty when it can be saved. */
export interface NoteEditProblems {
  title?: string;
  text?: string;
}

/**
 * Why an edited note cannot be saved, field by field. A title is required only when the stored
 * note had one (`before.title`, read from `description`): an imported note often has none (its
 * list title then comes from its `type` or text), and editing its text must not demand one.
 * The text must not be empty nor longer than `maxNoteTextBytes`.
 */
export function noteEditProblems(before: { title: string; text: string }, values: { title: string; text: string }): NoteEditProblems {
  const problems: NoteEditProblems = {};
  if (values.title.trim().length > 120) problems.title = "Keep the title under 120 characters.";
  else if (!values.title.trim() && before.title.trim()) problems.title = "Give the note a title.";
  const text = values.text.trim() ? noteTextProblem(values.text) : "Write something in the note.";
  if (text) problems.text = text;
  return problems;
}
