import { CryptoError } from "./errors";
import { fromBase64url, fromUtf8, toBase64url, utf8 } from "./encoding";
import { randomBytes } from "./random";

/**
 * A SMART Health Link's payload (HL7 SMART Health Cards and Links STU1, "SMART Health Link
 * Payload"): `url` of the manifest (flag P or none) or of the one file (flag U), `key` the
 * 32-byte file key as 43 base64url characters, `exp` expiry in epoch seconds, `flag` a subset
 * of L (long-term), P (passcode) and U (direct file), `label` at most 80 characters, `v` 1.
 */
export interface ShlinkPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
  v?: 1;
}

/** Which rule a link's text broke. */
export type ShlFormatReason = "not-a-link" | "encoding" | "url" | "key" | "exp" | "flag" | "label" | "version";

const formatMessages: Record<ShlFormatReason, string> = {
  "not-a-link": "This is not a SMART Health Link: it should contain shlink:/ followed by the link's data.",
  encoding: "This SMART Health Link is damaged: its data could not be read. Check that it was copied whole.",
  url: "This SMART Health Link's address is not a web address this viewer can open.",
  key: "This SMART Health Link's key is not valid. Check that it was copied whole.",
  exp: "This SMART Health Link's expiry time is not valid.",
  flag: "This SMART Health Link has flags this viewer does not understand.",
  label: "This SMART Health Link's label is too long or not text.",
  version: "This SMART Health Link uses a version this viewer does not support.",
};

/**
 * Link text or a payload that breaks STU1's rules: bad input, not an integrity failure (nothing
 * was decrypted). `reason` says which rule; the message is fixed text for the person and never
 * echoes the input.
 */
export class ShlFormatError extends Error {
  override readonly name = "ShlFormatError";

  constructor(readonly reason: ShlFormatReason) {
    super(formatMessages[reason]);
  }
}

const prefix = "shlink:/";
const knownFields = ["url", "key", "exp", "flag", "label", "v"] as const;
const maxLabelCharacters = 80;
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The `shlink:/` text of a payload: "shlink:/" + base64url(JSON.stringify(payload)), the
 * object's own key order kept (STU1 prescribes none; the IG's example orders url, flag, key,
 * label, and this reproduces it byte for byte). Await cryptoReady() first.
 * @throws ShlFormatError when the payload breaks a rule `decodeShlink` checks (so nothing
 * this makes is refused by a viewer that checks the same); CryptoError("not-ready") before cryptoReady()
 */
export function encodeShlink(payload: ShlinkPayload): string {
  checkPayload(payload);
  return prefix + toBase64url(utf8(JSON.stringify(payload)));
}

/**
 * Reads a link from a bare "shlink:/…" or any "<viewer URL>#shlink:/…" (surrounding whitespace
 * ignored) and checks STU1's rules: `url` an https URL (or http on a loopback host, for tests and
 * development), `key` 43 base64url characters (32 bytes), `exp` a positive integer of seconds,
 * `flag` made of distinct L, P, U with U never beside P, `label` at most 80 characters, `v`
 * absent or 1. Fields it does not know are dropped; known ones keep the text's order. It does
 * not judge expiry against the clock (the caller does). Await cryptoReady() first.
 * @throws ShlFormatError for text that is not such a link; CryptoError("not-ready") before cryptoReady()
 */
export function decodeShlink(text: string): ShlinkPayload {
  if (typeof text !== "string") throw new ShlFormatError("not-a-link");
  const trimmed = text.trim();
  const fragment = trimmed.indexOf(`#${prefix}`);
  const start = trimmed.startsWith(prefix) ? 0 : fragment >= 0 ? fragment + 1 : -1;
  if (start < 0) throw new ShlFormatError("not-a-link");
  // Padding is not part of base64url here, but some encoders add it.
  const encoded = trimmed.slice(start + prefix.length).replace(/=+$/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(fromBase64url(encoded)));
  } catch (error) {
    if (error instanceof CryptoError && error.code === "not-ready") throw error;
    throw new ShlFormatError("encoding");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ShlFormatError("encoding");
  const source = parsed as Record<string, unknown>;
  const payload: Record<string, unknown> = {};
  for (const field of Object.keys(source)) {
    if ((knownFields as readonly string[]).includes(field) && source[field] !== undefined) payload[field] = source[field];
  }
  checkPayload(payload);
  return payload as unknown as ShlinkPayload;
}

/**
 * A fresh link key: 32 bytes from the platform CSPRNG (crypto/random.ts, as every key here),
 * as 43 base64url characters. Await cryptoReady() first.
 * @throws CryptoError("not-ready") before cryptoReady()
 */
export function newShlKey(): string {
  return toBase64url(randomBytes(32));
}

function checkPayload(payload: unknown): void {
  if (typeof payload !== "object" || payload === null) throw new ShlFormatError("encoding");
  const { url, key, exp, flag, label, v } = payload as Record<string, unknown>;
  if (!isOpenableUrl(url)) throw new ShlFormatError("url");
  if (!isLinkKey(key)) throw new ShlFormatError("key");
  if (exp !== undefined && !(typeof exp === "number" && Number.isSafeInteger(exp) && exp > 0)) throw new ShlFormatError("exp");
  if (flag !== undefined && !isFlag(flag)) throw new ShlFormatError("flag");
  if (label !== undefined && !(typeof label === "string" && [...label].length <= maxLabelCharacters)) throw new ShlFormatError("label");
  if (v !== undefined && v !== 1) throw new ShlFormatError("version");
}

function isOpenableUrl(url: unknown): url is string {
  if (typeof url !== "string") return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  return parsed.protocol === "https:" || (parsed.protocol === "http:" && loopbackHosts.has(parsed.hostname));
}

function isLinkKey(key: unknown): key is string {
  if (typeof key !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(key)) return false;
  try {
    return fromBase64url(key).length === 32;
  } catch (error) {
    if (error instanceof CryptoError && error.code === "not-ready") throw error;
    return false;
  }
}

function isFlag(flag: unknown): flag is string {
  if (typeof flag !== "string" || !/^[LPU]*$/.test(flag)) return false;
  const letters = new Set(flag);
  return letters.size === flag.length && !(letters.has("U") && letters.has("P"));
}
