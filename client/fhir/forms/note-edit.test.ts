import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import type { FhirResource } from "../types";
import { editNoteResource, noteEditProblems, noteTextOf } from "./note-edit";

beforeAll(() => cryptoReady());

/** 05's imported note: a DocumentReference typed "History and physical note", with no description. */
function importedNote(): FhirResource {
  const bundle = JSON.parse(readFileSync(path.resolve(__dirname, "../../../fixtures/real-world/05-synthea-transaction.json"), "utf8")) as {
    entry: Array<{ resource: FhirResource }>;
  };
  return bundle.entry.map((entry) => entry.resource).find((resource) => resource.resourceType === "DocumentReference")!;
}

describe("editing an imported note with no title", () => {
  it("does not require a title when the stored note has none, and editing only the text keeps every other field", () => {
    const note = importedNote();
    expect(note.description).toBeUndefined();
    // The form reads the title from `description` only: empty here.
    const before = { title: "", text: noteTextOf(note) };
    expect(before.text.startsWith("2019-02-14")).toBe(true);
    const values = { ...before, text: `${before.text}Seen again.\n` };
    expect(noteEditProblems(before, values)).toEqual({});
    const edited = editNoteResource(note, before, values);
    expect(edited).not.toHaveProperty("description");
    expect(noteTextOf(edited)).toBe(values.text);
    const { content: _content, ...rest } = edited;
    const { content: _old, ...restBefore } = note;
    expect(rest).toEqual(restBefore);
    const attachment = (edited.content as Array<{ attachment: Record<string, unknown> }>)[0]!.attachment;
    expect(attachment.contentType).toBe("text/plain; charset=utf-8");
  });

  it("a title typed into an untitled note becomes its description", () => {
    const note = importedNote();
    const before = { title: "", text: noteTextOf(note) };
    expect(editNoteResource(note, before, { ...before, title: " Check-up " }).description).toBe("Check-up");
  });

  it("still requires a title the stored note had, some text, and limits on both, field by field", () => {
    const before = { title: "Letter", text: "Home." };
    expect(noteEditProblems(before, { title: "", text: "Home." })).toEqual({ title: "Give the note a title." });
    expect(noteEditProblems({ title: "", text: "x" }, { title: "", text: "  " })).toEqual({ text: "Write something in the note." });
    expect(noteEditProblems(before, { title: "a".repeat(121), text: "Home." }).title).toMatch(/under 120/);
    expect(noteEditProblems(before, { title: "Letter", text: "a".repeat(90_001) }).text).toMatch(/too long/);
  });
});
