import { readFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import type { FhirResource } from "@/client/fhir";
import { NoteEditForm } from "./record-detail";

beforeAll(() => cryptoReady());

describe("the note edit form", () => {
  it("opens 05's imported note with an empty, optional title and its text, each in a styled field", () => {
    const bundle = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world/05-synthea-transaction.json"), "utf8")) as {
      entry: Array<{ resource: FhirResource }>;
    };
    const resource = bundle.entry.map((entry) => entry.resource).find((item) => item.resourceType === "DocumentReference")!;
    const entry = { status: "ok", id: "r1", version: 1, document: { v: 1, kind: "note", resource } } as unknown as Parameters<typeof NoteEditForm>[0]["entry"];
    const html = renderToStaticMarkup(
      createElement(NoteEditForm, { entry, opener: { current: null }, onCancel: () => undefined, onSave: async () => undefined }),
    );
    expect(html).toContain(">Title (optional)</label>");
    expect(html).toMatch(/<input id="edit-title" name="edit-title" value=""/);
    expect(html).toMatch(/<div class="field"><label for="edit-text">Text<\/label><textarea[^>]*>2019-02-14/);
  });
});
