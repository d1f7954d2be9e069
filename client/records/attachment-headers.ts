/**
 * The headers of a download the browser saves as a file (RFC 6266 `Content-Disposition:
 * attachment`), for the streamed downloads the download service worker answers
 * (public/download-sw.js). They are built in the page and handed to the worker over a
 * MessageChannel, never put in a URL or sent to the server.
 */

/**
 * The characters RFC 5987's `attr-char` allows unescaped (ALPHA / DIGIT / "!" / "#" / "$" /
 * "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"); everything else is percent-encoded.
 */
const attrChar = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/** A file name as RFC 5987's `ext-value` in UTF-8 (`UTF-8''` then each other byte as %XX). */
export function extendedFileName(name: string): string {
  let encoded = "";
  for (const byte of new TextEncoder().encode(name)) {
    const character = String.fromCharCode(byte);
    encoded += byte < 0x80 && attrChar.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `UTF-8''${encoded}`;
}

/**
 * The plain `filename="…"` for browsers that do not read `filename*`: printable ASCII only
 * (each other character, the quote, the backslash and the percent sign, which some browsers
 * decode, become "_"), so the quoted string needs no escapes.
 */
export function asciiFileName(name: string): string {
  return Array.from(name, (character) => (/^[\x20-\x7e]$/.test(character) && !/["\\%]/.test(character) ? character : "_")).join("");
}

/** A name the browser may save under: never empty (it would invent one from the URL's random id). */
const usableName = (name: string) => (name.trim() === "" ? "download" : name);

/**
 * The response headers for a file saved as `name`, `size` bytes when known (a length lets the
 * browser show progress; an unknown one, such as a ZIP written as it goes, is left out). The
 * type is always application/octet-stream with nosniff, whatever the file says it is: the
 * browser saves it and never renders it; the CSP and sandbox hold anyway if one tried.
 * @returns header name and value pairs, lower-case names
 */
export function attachmentHeaders(name: string, size: number | null): Array<[string, string]> {
  const saved = usableName(name);
  const headers: Array<[string, string]> = [
    ["content-type", "application/octet-stream"],
    ["content-disposition", `attachment; filename="${asciiFileName(saved)}"; filename*=${extendedFileName(saved)}`],
    ["x-content-type-options", "nosniff"],
    ["cache-control", "no-store"],
    ["content-security-policy", "default-src 'none'; sandbox"],
  ];
  if (size !== null) headers.push(["content-length", String(size)]);
  return headers;
}
