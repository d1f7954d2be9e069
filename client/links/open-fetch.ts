import "@/contract/zod-config";
import { z } from "zod";
import { cryptoReady, decodeShlink, decryptShlFile, ShlDecryptError, ShlFormatError, type ShlinkPayload } from "@/crypto";
import { durationInWords } from "../format";
import { ShlOpenError } from "./open-errors";

/** A decrypted file of a link: its media type (from the manifest, else the JWE's `cty`) and bytes. */
export interface LinkFile {
  contentType: string | undefined;
  plaintext: Uint8Array;
}

/** Who is opening (sent to the link's server, which shows it to the patient) and the passcode of a P link. */
export interface OpenRequest {
  recipient: string;
  passcode?: string;
}

/** The fetch the viewer uses: the browser's, or a test's. */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

/** STU1 caps nothing; these keep a hostile server from filling the page's memory. */
export const maxLinkFiles = 100;
export const maxJweCharacters = 32 * 1024 * 1024;
const maxRecipientCharacters = 200;

/**
 * Reads a link from text (a bare `shlink:/…` or a viewer URL with `#shlink:/…`) and refuses
 * one whose `exp` has passed, before anything is fetched.
 * @param nowMs the current time, ms since the epoch
 * @throws ShlOpenError("bad-link") for text that is not a link; ShlOpenError("expired") for a past `exp`
 */
export async function readLink(text: string, nowMs: number = Date.now()): Promise<ShlinkPayload> {
  await cryptoReady();
  let payload: ShlinkPayload;
  try {
    payload = decodeShlink(text);
  } catch (error) {
    if (error instanceof ShlFormatError) throw new ShlOpenError("bad-link", undefined, error.message);
    throw error;
  }
  if (isExpired(payload, nowMs)) throw new ShlOpenError("expired");
  return payload;
}

/** Whether the link's `exp` (seconds) is at or before `nowMs`. */
export const isExpired = (payload: ShlinkPayload, nowMs: number): boolean => payload.exp !== undefined && payload.exp * 1000 <= nowMs;

/** Whether the link asks for a passcode (flag P). */
export const needsPasscode = (payload: ShlinkPayload): boolean => (payload.flag ?? "").includes("P");

// Exactly one of `embedded` and `location`; servers may add fields (status, list), which are not read.
const fileDescriptor = z
  .object({ contentType: z.string().min(1), embedded: z.string().min(1).optional(), location: z.string().min(1).optional() })
  .refine((file) => (file.embedded === undefined) !== (file.location === undefined));
const manifestSchema = z.object({ files: z.array(fileDescriptor).max(maxLinkFiles) });
const refusal = z.object({ remainingAttempts: z.number().int().min(0).optional() });

/**
 * Fetches and decrypts a link's files in this browser (HL7 SMART Health Links STU1, "SMART
 * Health Link Manifest"): flag U, one GET of `url?recipient=…` whose body is the JWE; otherwise
 * a POST of `{recipient, passcode?}` to the manifest `url`, then each file `embedded` in the
 * manifest or fetched by GET from its `location`. No cookies are sent and nothing goes through
 * this app's server. The key never leaves the browser.
 * @param nowMs the current time, ms since the epoch (an expired link fails before any fetch)
 * @throws ShlOpenError: "expired", "recipient-needed", "passcode-needed" (before fetching);
 *   "wrong-passcode" (401, with remainingAttempts when the server said), "not-found" (404, 410),
 *   "rate-limited" (429), "server-error", "unreachable", "bad-manifest", "decrypt"
 */
export async function openLinkFiles(
  payload: ShlinkPayload,
  request: OpenRequest,
  fetcher: Fetcher = browserFetch,
  nowMs: number = Date.now(),
): Promise<LinkFile[]> {
  if (isExpired(payload, nowMs)) throw new ShlOpenError("expired");
  const recipient = request.recipient.trim();
  if (recipient.length === 0 || recipient.length > maxRecipientCharacters) throw new ShlOpenError("recipient-needed");
  const passcode = request.passcode ?? "";
  if (needsPasscode(payload) && passcode.length === 0) throw new ShlOpenError("passcode-needed");
  await cryptoReady();

  if ((payload.flag ?? "").includes("U")) {
    const url = new URL(payload.url);
    url.searchParams.set("recipient", recipient);
    const jwe = await jweFrom(await send(fetcher, url.href, { method: "GET" }));
    return [await decrypted(jwe, payload.key, undefined)];
  }

  const body = JSON.stringify(needsPasscode(payload) ? { recipient, passcode } : { recipient });
  const response = await send(fetcher, payload.url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const parsed = manifestSchema.safeParse(await jsonOf(response));
  if (!parsed.success) throw new ShlOpenError("bad-manifest");
  const files: LinkFile[] = [];
  // One at a time: a location URL is short-lived and a file may be large.
  for (const file of parsed.data.files) {
    const jwe = file.embedded ?? (await jweFrom(await send(fetcher, checkedLocation(file.location ?? ""), { method: "GET" })));
    files.push(await decrypted(jwe, payload.key, file.contentType));
  }
  return files;
}

const browserFetch: Fetcher = (url, init) => fetch(url, init);

/** One request with no cookies, no referrer, no cache; a refusal or fault as the matching ShlOpenError. */
async function send(fetcher: Fetcher, url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetcher(url, { ...init, credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store", redirect: "follow" });
  } catch (error) {
    // fetch rejects with a TypeError when there is no answer (network, CORS, a blocked address).
    if (error instanceof TypeError) throw new ShlOpenError("unreachable");
    throw error;
  }
  if (response.ok) return response;
  if (response.status === 401) {
    const parsed = refusal.safeParse(await jsonOf(response).catch((error: unknown) => ignoreBadJson(error)));
    throw new ShlOpenError("wrong-passcode", parsed.success ? parsed.data.remainingAttempts : undefined);
  }
  if (response.status === 404 || response.status === 410) throw new ShlOpenError("not-found");
  if (response.status === 429) throw slowedDown(response.headers.get("retry-after"));
  throw new ShlOpenError("server-error");
}

/**
 * A 429, with the wait its Retry-After gives in seconds when the page may read it (our own
 * server's, or one that exposes the header): a long-term link slowed after wrong passcodes
 * waits up to a day, which "a few minutes" would misstate.
 */
function slowedDown(retryAfter: string | null): ShlOpenError {
  const seconds = retryAfter !== null && /^\d{1,9}$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : null;
  if (seconds === null) return new ShlOpenError("rate-limited");
  return new ShlOpenError(
    "rate-limited",
    undefined,
    `Too many attempts to open this link, or too many wrong passcodes. Try again in ${durationInWords(Math.max(1, seconds))}.`,
  );
}

/** A refused answer's body that is not JSON says nothing more: read as no body. */
function ignoreBadJson(error: unknown): undefined {
  if (error instanceof ShlOpenError && error.code === "bad-manifest") return undefined;
  throw error;
}

async function textOf(response: Response): Promise<string> {
  const length = Number(response.headers.get("content-length") ?? "0");
  if (length > maxJweCharacters) throw new ShlOpenError("bad-manifest");
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (error instanceof TypeError) throw new ShlOpenError("unreachable");
    throw error;
  }
  if (text.length > maxJweCharacters) throw new ShlOpenError("bad-manifest");
  return text;
}

async function jsonOf(response: Response): Promise<unknown> {
  const text = await textOf(response);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) throw new ShlOpenError("bad-manifest");
    throw error;
  }
}

/** A file's body: a compact JWE (five dot-separated parts), nothing else. */
async function jweFrom(response: Response): Promise<string> {
  const text = (await textOf(response)).trim();
  if (text.split(".").length !== 5) throw new ShlOpenError("bad-manifest");
  return text;
}

/** A manifest's `location` must be an https URL (http only on a loopback host), as a link's `url`. */
function checkedLocation(location: string): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch (error) {
    if (error instanceof TypeError) throw new ShlOpenError("bad-manifest");
    throw error;
  }
  const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) throw new ShlOpenError("bad-manifest");
  return url.href;
}

async function decrypted(jwe: string, key: string, contentType: string | undefined): Promise<LinkFile> {
  try {
    const file = await decryptShlFile(jwe, key);
    return { contentType: contentType ?? file.contentType, plaintext: file.plaintext };
  } catch (error) {
    if (error instanceof ShlDecryptError) throw new ShlOpenError(error.reason === "too-large" ? "bad-content" : "decrypt");
    throw error;
  }
}
