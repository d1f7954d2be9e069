/** Saves text the browser made (an export) as a file, without it ever leaving the device. */
export function downloadText(name: string, text: string, type = "application/fhir+json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}
