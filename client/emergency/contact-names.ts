import type { EmergencyContact } from "@/contract/emergency";
import type { PinnedContact } from "../keystore/vault-store";

/** A short form of an account id, as the pages show it beside a name: "1a2b3c4d…". */
export const shortAccountId = (userId: string) => `${userId.slice(0, 8)}…`;

/**
 * How the patient's page names one of their emergency contacts: the name the patient's browser
 * pinned for them (typed, or their directory name when they were named), else their account id.
 * Does not throw.
 */
export function contactLabel(contactId: string, pins: Readonly<Record<string, PinnedContact>> | undefined): { name: string | null; account: string } {
  return { name: pins?.[contactId]?.name ?? null, account: shortAccountId(contactId) };
}

/** One named emergency contact as the card prints it. */
export interface CardContact {
  name: string;
  reach: string | null;
}

/**
 * The patient's emergency contacts for their card: each person once (several live contacts for one
 * person are one line), in the order named, ended ones left out, by the name and way to reach
 * them the patient's vault pins. Contacts with no name pinned are counted in `unnamed` (an account
 * id on a printed card helps nobody). Does not throw.
 */
export function cardContacts(
  contacts: readonly EmergencyContact[],
  pins: Readonly<Record<string, PinnedContact>> | undefined,
): { named: CardContact[]; unnamed: number } {
  const seen = new Set<string>();
  const named: CardContact[] = [];
  let unnamed = 0;
  const live = contacts.filter((contact) => contact.state !== "ended").sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const contact of live) {
    if (seen.has(contact.contactId)) continue;
    seen.add(contact.contactId);
    const pin = pins?.[contact.contactId];
    if (pin?.name) named.push({ name: pin.name, reach: pin.reach ?? null });
    else unnamed += 1;
  }
  return { named, unnamed };
}

/** A card contact as one printed line: "Ann Smith — 0161 496 0000", or the name alone. */
export const cardContactLine = (contact: CardContact) => (contact.reach ? `${contact.name} — ${contact.reach}` : contact.name);
