import { encryptShlFile } from "@/crypto";
import { newShlKey } from "@/crypto";
import { routes } from "@/contract/routes";
import { shlLimits } from "@/contract/links";
import { sealLinkLabel } from "../links/make-label";
import type { CardSettings } from "../links/card-settings";
import { buildLinkBundle } from "../links/make-bundle";
import {
  linkRecordsOf,
  linkTextOf,
  listLinks,
  makeLink,
  maxJweLength,
  LinkTooLargeError,
  revokeLink,
  type ListedLink,
  type MadeLink,
} from "../links/make-link";
import type { UnlockedVault } from "../keystore/vault-store";
import type { OkEntry } from "../records/records";
import { retryTransient, type Transport } from "../transport/api";
import { emergencyEntries, emergencySetDigest, type EmergencyChoice } from "./emergency-set";

/** The label every card link carries (shown by viewers, and in the patient's list of links). */
export const cardLabel = "Emergency card";

/** A card's link lives five years at most (the server's limit for long-term links), then the patient reissues it. */
export const cardLifetimeMs = shlLimits.maxLongTermLifetimeMs - 24 * 60 * 60 * 1000;

/** The patient's live emergency card: its link in their list and the settings sealed in its label. */
export interface EmergencyCard {
  link: ListedLink;
  settings: CardSettings;
}

export interface CardInput {
  choice: EmergencyChoice;
  name: string;
  birthDate: string | null;
  contacts: string;
  /** Whether the card prints the patient's named emergency contacts too (absent: no). */
  includeContacts?: boolean;
  /** Absent: no passcode (flag L only). */
  passcode?: string;
}

/**
 * The card among the patient's links: the newest live long-term link whose sealed label
 * carries card settings; failing that, the newest such link stopped by wrong passcodes
 * (`state: "disabled"`: the printed card no longer works, and the page must say so rather than
 * offer to make a first card); null when neither exists (none made, or revoked or expired).
 */
export function cardOf(links: readonly ListedLink[]): EmergencyCard | null {
  const isCard = (link: ListedLink) => link.flag.includes("L") && link.opened?.card;
  const found = links.find((link) => link.state === "live" && isCard(link)) ?? links.find((link) => link.state === "disabled" && isCard(link));
  return found?.opened?.card ? { link: found, settings: found.opened.card } : null;
}

/** The patient's live emergency card, or null. @throws ApiError */
export async function findCard(vault: UnlockedVault, transport: Transport): Promise<EmergencyCard | null> {
  return cardOf(await listLinks(vault, transport));
}

/** The card's link text (`<origin>/links/open#shlink:/…`), from the key its sealed settings keep. */
export const cardLinkText = (card: EmergencyCard, origin: string) => linkTextOf(card.link, card.settings.key, cardLabel, origin);

/** The FHIR Bundle the card's link carries: exactly the emergency set's records (files included), about the revealed patient. */
async function cardBundle(entries: readonly OkEntry[], settings: Pick<CardSettings, "kinds" | "recordIds" | "name" | "birthDate">, transport: Transport) {
  const chosen = emergencyEntries(entries, settings);
  const selection = { by: "records" as const, recordIds: chosen.map((entry) => entry.id) };
  const records = await linkRecordsOf(chosen, selection, transport);
  const bundle = buildLinkBundle({
    records,
    selection,
    patient: { name: settings.name, ...(settings.birthDate ? { birthDate: settings.birthDate } : {}) },
    now: new Date(),
  });
  return { bundle, digest: await emergencySetDigest(chosen, settings), count: chosen.length };
}

/**
 * Makes the emergency card's link: a long-term SMART Health Link (flag L, LP with a passcode)
 * to exactly the emergency set, living five years; its key and the patient's choices sealed in
 * its label under the vault key. Returns the made link (its text shown once with the passcode).
 * @throws LinkBundleError (an empty set, a bad name or birth date) and what makeLink throws
 */
export async function makeCard(input: CardInput, entries: readonly OkEntry[], vault: UnlockedVault, transport: Transport, origin: string): Promise<MadeLink> {
  const base = {
    kinds: [...input.choice.kinds],
    recordIds: [...input.choice.recordIds],
    name: input.name.trim(),
    birthDate: input.birthDate,
    contacts: input.contacts,
    includeContacts: input.includeContacts ?? false,
  };
  const { bundle, digest, count } = await cardBundle(entries, base, transport);
  const card: CardSettings = { ...base, key: newShlKey(), digest };
  return makeLink(
    {
      bundle,
      label: cardLabel,
      chosen: `Emergency set (${count} ${count === 1 ? "record" : "records"})`,
      expiry: "30d",
      ...(input.passcode !== undefined ? { passcode: input.passcode } : {}),
      longTerm: { card, expiresAt: new Date(Date.now() + cardLifetimeMs) },
    },
    vault,
    transport,
    origin,
  );
}

/**
 * Reissues the card: a new link (new key, new URL, new passcode or none) with the choices given,
 * then the old link revoked (its JWE deleted; its URL answers 404). The new one is made first, so
 * a failure leaves the old card working. @throws what makeCard and revokeLink throw
 */
export async function reissueCard(
  old: EmergencyCard,
  input: CardInput,
  entries: readonly OkEntry[],
  vault: UnlockedVault,
  transport: Transport,
  origin: string,
) {
  const made = await makeCard(input, entries, vault, transport, origin);
  await revokeLink(old.link.id, transport);
  return made;
}

/**
 * Keeps a card's link current: when the emergency set's digest differs from the one sealed in
 * its label (a record of a chosen kind was added, edited, rotated or deleted), the current set
 * is encrypted again under the link's own key and replaces the link's file (PUT
 * /api/links/{id}), with the label sealed again with the new digest. Returns whether it uploaded.
 * An empty set keeps the last file (a link to nothing would tell the reader nothing).
 * @throws LinkTooLargeError, ApiError, and what reading the set's files throws
 */
export async function refreshCard(card: EmergencyCard, entries: readonly OkEntry[], vault: UnlockedVault, transport: Transport): Promise<boolean> {
  const chosen = emergencyEntries(entries, card.settings);
  if (chosen.length === 0) return false;
  if ((await emergencySetDigest(chosen, card.settings)) === card.settings.digest) return false;
  const { bundle, digest, count } = await cardBundle(entries, card.settings, transport);
  const jwe = await encryptShlFile(JSON.stringify(bundle), card.settings.key, "application/fhir+json");
  if (jwe.length > maxJweLength) throw new LinkTooLargeError();
  const settings = { ...card.settings, digest };
  const sealedLabel = sealLinkLabel(
    { label: cardLabel, chosen: `Emergency set (${count} ${count === 1 ? "record" : "records"})`, card: settings },
    vault.keys.vaultKey,
  );
  await retryTransient(() => transport.call(routes.links.updateFile, { params: { id: card.link.id }, body: { jwe, sealedLabel } }));
  card.settings = settings;
  return true;
}

let keeping: Promise<boolean> | null = null;

/**
 * Finds the patient's card and refreshes it (refreshCard) from the whole decrypted chart; one
 * run at a time in this page (a call during a run waits for it and runs again). Resolves false
 * when there is no card or nothing changed.
 */
export async function keepCardCurrent(entries: readonly OkEntry[], vault: UnlockedVault, transport: Transport): Promise<boolean> {
  if (keeping) await Promise.allSettled([keeping]);
  keeping = (async () => {
    const card = await findCard(vault, transport);
    return card?.link.state === "live" ? refreshCard(card, entries, vault, transport) : false;
  })();
  try {
    return await keeping;
  } finally {
    keeping = null;
  }
}
