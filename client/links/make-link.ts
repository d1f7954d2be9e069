import { encodeShlink, encryptShlFile, newShlKey, toBase64, type ShlinkPayload } from "@/crypto";
import { routes } from "@/contract/routes";
import type { LinkSummary, ShlFlag } from "@/contract/links";
import type { CardSettings } from "./card-settings";
import { countOf, listOf } from "../format";
import { isIntegrityError } from "../integrity";
import { kindLabel } from "../fhir/kinds";
import type { Bundle } from "../fhir/types";
import type { UnlockedVault } from "../keystore/vault-store";
import { downloadDecryptedFile } from "../records/files";
import type { OkEntry } from "../records/records";
import { retryTransient, type Transport } from "../transport/api";
import { availableExtras, buildPatientSummary } from "../summary/patient-summary";
import { buildLinkBundle, checkRevealedPatient, chosenRecords, type LinkRecord, type LinkSelection, type RevealedPatient } from "./make-bundle";
import { maxLabelLength, openLinkLabel, sealLinkLabel, type LinkLabel } from "./make-label";

export type { LinkSummary };

/** How long a link may live: the page's presets, from 15 minutes to 30 days (the server refuses anything outside). */
export const expiryPresets = [
  { key: "15m", words: "15 minutes", ms: 15 * 60_000 },
  { key: "1h", words: "1 hour", ms: 60 * 60_000 },
  { key: "1d", words: "1 day", ms: 24 * 60 * 60_000 },
  { key: "7d", words: "7 days", ms: 7 * 24 * 60 * 60_000 },
  { key: "30d", words: "30 days", ms: 30 * 24 * 60 * 60_000 },
] as const;
export type ExpiryPreset = (typeof expiryPresets)[number]["key"];

/** Passcode lengths the server takes (contract/links.ts). */
export const passcodeLength = { min: 6, max: 64 } as const;

/** The JWE the server stores is at most 8 MiB (its body limit): a link too large for it is refused before uploading. */
export const maxJweLength = 8 * 1024 * 1024;

/** The path of this app's viewer: a link we make is `<origin>/links/open#shlink:/…`. */
export const viewerPath = "/links/open";

export class LinkTooLargeError extends Error {
  override readonly name = "LinkTooLargeError";
  constructor() {
    super("What you chose is too large for one link (8 MiB once encrypted). Choose fewer records or files.");
  }
}

/** What a link carries, in words for the patient's own list ("My summary (PDF and 12 records)", "Problems, Medications", "3 records"). */
export function chosenWords(selection: LinkSelection, recordCount: number, withPdf: boolean): string {
  const records = countOf(recordCount, "record");
  if (selection.by === "summary") return `My summary (PDF and ${records})`;
  const what = selection.by === "kinds" ? `${listOf(selection.kinds.map((kind) => kindLabel(kind)))} (${records})` : records;
  return withPdf ? `${what} and the summary PDF` : what;
}

/**
 * The chart's verified records as a link may carry them, those the selection chooses, each
 * file record with its file downloaded, decrypted (and checked against its signed digest)
 * and base64-encoded, so the recipient gets the file itself.
 * @throws what downloadDecryptedFile throws (IntegrityError for a damaged file, ApiError)
 */
export async function linkRecordsOf(entries: readonly OkEntry[], selection: LinkSelection, transport: Transport): Promise<LinkRecord[]> {
  const all = entries.map((entry) => ({ id: entry.id, resource: entry.document.resource, fullUrl: entry.document.fullUrl, context: entry.document.context }));
  const chosen = chosenRecords(all, selection);
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const out: LinkRecord[] = [];
  for (const record of chosen) {
    const file = byId.get(record.id)?.document.file;
    if (!file) {
      out.push(record);
      continue;
    }
    const blob = await downloadDecryptedFile(file, "application/octet-stream", () => undefined, transport);
    out.push({ ...record, fileData: toBase64(new Uint8Array(await blob.arrayBuffer())) });
  }
  return out;
}

/** The link text (`<origin>/links/open#shlink:/…`) of a link whose key the browser holds (the emergency card's). */
export function linkTextOf(link: Pick<LinkSummary, "url" | "expiresAt" | "flag">, key: string, label: string, origin: string): string {
  const payload: ShlinkPayload = {
    url: link.url,
    key,
    exp: Math.floor(new Date(link.expiresAt).getTime() / 1000),
    flag: link.flag,
    ...(label ? { label } : {}),
    v: 1,
  };
  return `${origin}${viewerPath}#${encodeShlink(payload)}`;
}

/** The steps of making a link, for the page's progress. */
export type MakeStep = "encrypting" | "uploading";

export interface MakeLinkInput {
  bundle: Bundle;
  /** ≤ 80 characters; shown to the recipient (it is in the link) and in the patient's list. */
  label: string;
  /** What was chosen, in words (chosenWords), for the patient's list only. */
  chosen: string;
  expiry: ExpiryPreset;
  /** Present: a passcode link (flag P); absent: flag U (flag L when long-term). */
  passcode?: string;
  /**
   * A long-term link (flag L, with P when a passcode is given): the emergency card. Its key is
   * the card's (kept in the sealed label with the card's settings, so the browser can update
   * the link's file later), and it expires at `expiresAt` (at most five years ahead) instead of a preset.
   */
  longTerm?: { card: CardSettings; expiresAt: Date };
}

export interface MadeLink {
  link: LinkSummary;
  /** `<origin>/links/open#shlink:/…`: shown once, never stored. */
  text: string;
  /** The label, as in the link. */
  label: string;
}

/**
 * Makes a SMART Health Link (HL7 SMART Health Links STU1): a fresh 32-byte key (newShlKey),
 * the Bundle's JSON encrypted under it as a compact JWE (encryptShlFile, cty
 * application/fhir+json), uploaded with the flag (U by default; P when a passcode is given,
 * never both), the expiry and the label sealed under the vault key (sealLinkLabel); then the
 * link text: `<origin>/links/open#` + encodeShlink({url, key, exp, flag, label, v: 1}) with the
 * URL the server made. The key never leaves the browser but in that text.
 * @param origin this app's origin (location.origin)
 * @throws LinkTooLargeError for a JWE over 8 MiB; Error for a label over 80 characters or a
 *   passcode outside 6–64 characters (the page checks both first); ApiError from the server
 */
export async function makeLink(
  input: MakeLinkInput,
  vault: UnlockedVault,
  transport: Transport,
  origin: string,
  onStep: (step: MakeStep) => void = () => undefined,
  now: Date = new Date(),
): Promise<MadeLink> {
  const label = input.label.trim();
  if (label.length > maxLabelLength) throw new Error("label too long");
  if (input.passcode !== undefined && (input.passcode.length < passcodeLength.min || input.passcode.length > passcodeLength.max)) {
    throw new Error("passcode length");
  }
  const preset = expiryPresets.find((candidate) => candidate.key === input.expiry);
  if (!preset) throw new Error("unknown expiry");
  onStep("encrypting");
  const key = input.longTerm?.card.key ?? newShlKey();
  const jwe = await encryptShlFile(JSON.stringify(input.bundle), key, "application/fhir+json");
  if (jwe.length > maxJweLength) throw new LinkTooLargeError();
  const flag = linkFlag(input.passcode !== undefined, input.longTerm !== undefined);
  const expiresAt = input.longTerm?.expiresAt ?? new Date(now.getTime() + preset.ms);
  const sealedLabel = sealLinkLabel({ label, chosen: input.chosen, ...(input.longTerm ? { card: input.longTerm.card } : {}) }, vault.keys.vaultKey);
  onStep("uploading");
  // Not retried: the server makes the link's id, so a request cut off after it was stored would make a second link.
  const { link } = await transport.call(routes.links.create, {
    body: { flag, ...(input.passcode !== undefined ? { passcode: input.passcode } : {}), expiresAt: expiresAt.toISOString(), jwe, sealedLabel },
  });
  return { link, label, text: linkTextOf({ ...link, flag }, key, label, origin) };
}

/** STU1 flags: P with a passcode, L for a long-term link, U for a plain one (never U with P or L here: the card is read through a manifest). */
const linkFlag = (passcode: boolean, longTerm: boolean): ShlFlag => (longTerm ? (passcode ? "LP" : "L") : passcode ? "P" : "U");

/** A link of the patient's list with its label opened in the browser (null when it does not open: shown as such, never hidden). */
export interface ListedLink extends LinkSummary {
  opened: LinkLabel | null;
  /** "live", or why it no longer opens. */
  state: "live" | "expired" | "revoked" | "disabled";
}

/** Whether a link still opens, at `now`. */
export function linkState(link: Pick<LinkSummary, "revokedAt" | "disabled" | "expiresAt">, now: Date): ListedLink["state"] {
  if (link.revokedAt !== null) return "revoked";
  if (link.disabled) return "disabled";
  return new Date(link.expiresAt).getTime() <= now.getTime() ? "expired" : "live";
}

/**
 * The patient's links, live ones first (then the others), each newest first, each label
 * opened with the vault key; a label that fails its check is `opened: null` (the page says so).
 * @throws ApiError
 */
export async function listLinks(vault: UnlockedVault, transport: Transport, now: Date = new Date()): Promise<ListedLink[]> {
  const { links } = await transport.call(routes.links.list, {});
  const listed = links.map((link): ListedLink => {
    let opened: LinkLabel | null;
    try {
      opened = openLinkLabel(link.sealedLabel, vault.keys.vaultKey);
    } catch (caught) {
      if (!isIntegrityError(caught)) throw caught;
      opened = null;
    }
    return { ...link, opened, state: linkState(link, now) };
  });
  return [...listed.filter((link) => link.state === "live"), ...listed.filter((link) => link.state !== "live")];
}

/** Revokes a link at once (the server deletes its JWE; every URL of it answers 404). @throws ApiError */
export const revokeLink = (id: string, transport: Transport) => retryTransient(() => transport.call(routes.links.revoke, { params: { id } }));

/** Who opened a link and when, newest first ("opened", or "wrong-passcode" for a refused passcode). @throws ApiError */
export const linkAccesses = async (id: string, transport: Transport) => (await transport.call(routes.links.accesses, { params: { id } })).accesses;

/** The steps of making a link from the chart, for the page's progress. */
export type BuildStep = "files" | "pdf" | MakeStep;

/** Words for each step, as the page shows them while it works. */
export const buildStepWords: Record<BuildStep, string> = {
  files: "Decrypting the files you chose…",
  pdf: "Making the summary PDF…",
  encrypting: "Encrypting the link's contents in this browser…",
  uploading: "Uploading the encrypted contents…",
};

/**
 * Makes a link from the decrypted chart: the chosen records (linkRecordsOf, files included),
 * the summary PDF of exactly those records when asked for (always for "my summary"; made by
 * buildPatientSummary and buildSummaryPdf, in this browser), the Bundle (buildLinkBundle), then
 * makeLink.
 * @throws LinkBundleError (nothing chosen, a bad name or birth date), SummaryFontError (the
 *   PDF's font did not load), and what linkRecordsOf and makeLink throw
 */
export async function makeLinkFromChart(
  input: Omit<MakeLinkInput, "bundle" | "chosen"> & {
    entries: readonly OkEntry[];
    selection: LinkSelection;
    withPdf: boolean;
    patient: RevealedPatient;
  },
  vault: UnlockedVault,
  transport: Transport,
  origin: string,
  onStep: (step: BuildStep) => void = () => undefined,
  now: Date = new Date(),
): Promise<MadeLink> {
  const withPdf = input.withPdf || input.selection.by === "summary";
  // Checked before any file is downloaded or any PDF made.
  checkRevealedPatient(input.patient);
  onStep("files");
  const records = await linkRecordsOf(input.entries, input.selection, transport);
  let summaryPdf: Uint8Array | undefined;
  if (withPdf) {
    onStep("pdf");
    // pdf-lib and the font load only when a PDF is asked for.
    const { buildSummaryPdf } = await import("../summary/summary-pdf");
    const summary = buildPatientSummary({
      records,
      // The PDF shows every chosen record: kinds beyond the IPS sections get sections of their own.
      extras: availableExtras(records).map((extra) => extra.kind),
      patient: { name: input.patient.name.trim(), birthDate: input.patient.birthDate?.trim() || null, shared: false },
      madeAt: now,
    });
    summaryPdf = await buildSummaryPdf(summary);
  }
  const bundle = buildLinkBundle({ records, selection: input.selection, patient: input.patient, summaryPdf, now });
  const chosen = chosenWords(input.selection, records.length, withPdf);
  // The expiry counts from now, not from when the files and PDF began: the server allows a minute's difference at most.
  return makeLink({ bundle, label: input.label, chosen, expiry: input.expiry, passcode: input.passcode }, vault, transport, origin, onStep);
}
