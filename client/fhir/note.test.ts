import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, encodeRecordBody, encryptRecordContent, generateCommitmentKey, generateRecordKey, utf8 } from "@/crypto";
import { maxNoteTextBytes, noteAttachment, noteAttachmentText, noteResource, noteTextProblem } from "./note";

beforeAll(cryptoReady);

describe("a note's inline text", () => {
  it("survives a 300 KB note (the old String.fromCharCode(...bytes) helper overflowed the stack from ~125 KB)", () => {
    // Multi-byte characters too, so the bytes (not the characters) are what is counted.
    const text = "Blood pressure diary, morning and evening. Température normale. 血圧 ".repeat(5000).slice(0, 310_000);
    expect(new TextEncoder().encode(text).length).toBeGreaterThan(300 * 1024);
    const attachment = noteAttachment(text);
    expect(attachment).toMatchObject({ contentType: "text/plain" });
    expect(attachment.data).toBe(Buffer.from(text, "utf8").toString("base64"));
    expect(noteAttachmentText({ content: [{ attachment }] })).toBe(text);
  });

  it("reads base64 as other systems write it and says nothing of a note without data", () => {
    expect(noteAttachmentText({ content: [{ attachment: { contentType: "text/plain", data: "SGVs\nbG8" } }] })).toBe("Hello");
    expect(noteAttachmentText({ content: [{ attachment: { contentType: "text/plain" } }] })).toBe("");
    expect(noteAttachmentText({})).toBe("");
  });

  it("refuses data that is not base64 with a CryptoError", () => {
    expect(() => noteAttachmentText({ content: [{ attachment: { data: "not base64!" } }] })).toThrow(expect.objectContaining({ code: "malformed" }));
  });
});

describe("the longest note the form allows", () => {
  // The server refuses record content above 256 KiB (lib/records/content-limits.ts).
  const contentLimit = 256 * 1024;
  const encryptedSize = (document: unknown) =>
    encryptRecordContent(
      encodeRecordBody({ commitmentKey: generateCommitmentKey(), document: utf8(JSON.stringify(document)), access: new Uint8Array(0) }),
      generateRecordKey(),
      {
        recordId: crypto.randomUUID(),
        version: 1,
        keyVersion: 1,
      },
    ).length;

  it("fits the server's content limit, with the longest title and JSON-escaped characters in it", () => {
    const text = "é".repeat(maxNoteTextBytes / 2);
    expect(noteTextProblem(text)).toBeUndefined();
    const resource = noteResource({ title: "\u0001".repeat(120), text });
    expect(encryptedSize({ v: 1, kind: "note", resource })).toBeLessThanOrEqual(contentLimit);
  });

  it("is refused with a message one byte later, as the server would refuse it", () => {
    const text = "a".repeat(maxNoteTextBytes + 1);
    expect(noteTextProblem(text)).toMatch(/too long/);
    // Not an arbitrary limit: a note of about 125 KB (where the old helper overflowed) cannot be stored.
    expect(encryptedSize({ v: 1, kind: "note", resource: noteResource({ title: "Diary", text: "a".repeat(125_000) }) })).toBeGreaterThan(contentLimit);
  });
});
