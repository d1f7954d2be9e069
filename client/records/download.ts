import { checkBlobHeld } from "./held-blob";

/** Saves text the browser made (an export) as a file, without it ever leaving the device. @throws BrowserStorageError as downloadBlob */
export function downloadText(name: string, text: string, type = "application/fhir+json"): Promise<void> {
  return downloadBlob(name, new Blob([text], { type }));
}

/**
 * Saves a Blob the browser made (an export, a decrypted file) as a file, without it ever leaving
 * the device; resolves once the browser has it to write.
 * @throws BrowserStorageError when the browser dropped the Blob's bytes (`checkBlobHeld`): its
 *   download would be cancelled at once, and the page could not tell.
 */
export async function downloadBlob(name: string, blob: Blob): Promise<void> {
  await checkBlobHeld(blob);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // Revoked later, not at once: a large Blob may still be being read when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Files at least this large are written straight to disk as they decrypt where the browser can (saveToDisk); smaller ones go through a Blob. */
export const saveToDiskFromBytes = 64 * 1024 * 1024;

/** The File System Access API's save dialog (Chromium), which TypeScript's DOM types do not have yet. */
interface SaveFilePicker {
  showSaveFilePicker(options: { suggestedName: string; types: Array<{ description: string; accept: Record<string, string[]> }> }): Promise<{
    createWritable(): Promise<{ write(data: Uint8Array<ArrayBuffer>): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
  }>;
}

/** Whether this browser can stream a download straight to a file the person picks (Chromium's File System Access API). */
export const canSaveToDisk = () => typeof window !== "undefined" && typeof (window as Partial<SaveFilePicker>).showSaveFilePicker === "function";

/**
 * Asks where to save a file (the browser's save dialog; a ZIP unless `type` says otherwise) and
 * returns a sink writing to that file as the bytes come, so a large file never sits whole in
 * memory; `abort()` discards what was written (Chromium writes to a temporary file until `close()`). Call it from the click
 * itself (the dialog needs the person's gesture). Resolves null when the person cancels.
 * @throws whatever the browser throws other than a cancel (a refused permission).
 */
export async function saveToDisk(
  name: string,
  type: { description: string; accept: Record<string, string[]> } | null = { description: "ZIP archive", accept: { "application/zip": [".zip"] } },
): Promise<{ write(chunk: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> } | null> {
  try {
    const handle = await (window as unknown as SaveFilePicker).showSaveFilePicker({ suggestedName: name, types: type ? [type] : [] });
    const writable = await handle.createWritable();
    return { write: (chunk) => writable.write(chunk as Uint8Array<ArrayBuffer>), close: () => writable.close(), abort: () => writable.abort() };
  } catch (caught) {
    // The person closed the dialog: nothing to save, nothing went wrong.
    if (caught instanceof DOMException && caught.name === "AbortError") return null;
    throw caught;
  }
}
