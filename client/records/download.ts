/** Saves text the browser made (an export) as a file, without it ever leaving the device. */
export function downloadText(name: string, text: string, type = "application/fhir+json") {
  downloadBlob(name, new Blob([text], { type }));
}

/** Saves a Blob the browser made (an export, a decrypted file) as a file, without it ever leaving the device. */
export function downloadBlob(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // Revoked later, not at once: a large Blob may still be being read when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
