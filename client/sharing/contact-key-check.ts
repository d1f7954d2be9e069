import { cryptoReady, fromBase64url, keyFingerprint, shareCode, toBase64url, verifyKeyCertificate, isCryptoError } from "@/crypto";
import { routes } from "@/contract/routes";
import { isIntegrityError } from "../integrity";
import type { PinnedContact, UnlockedVault } from "../keystore/vault-store";
import { ApiError, type Transport } from "../transport/api";
import { certifiedFrom, certifiedKeys, samePin, type CertifiedKeys } from "./contacts";

/**
 * "A pinned contact's key changed", decided in this browser only. The pins are in the
 * encrypted vault and a key the server swaps is exactly what a dishonest server would do, so
 * the server neither knows of this check nor is told its result: the browser fetches each
 * pinned contact's keys as the server serves them (the same requests the share and emergency
 * pages make) and compares them with the pin.
 */

/** A pinned contact whose served keys differ from the pin. */
export interface ChangedContact {
  userId: string;
  pinned: PinnedContact;
  /** `clinician` (in the directory: the share page compares and re-pins), `contact` (an emergency contact or another account), `admin` (a deployment administrator's key, pinned to check verifications). */
  kind: "clinician" | "contact" | "admin";
  /** The directory name served with the new keys, if any (the server's word, as on the share page). */
  name: string | null;
  /** The keys now served, certified under the served identity key; null when they are not (a certificate that does not verify). */
  keys: CertifiedKeys | null;
  /** When this browser first noticed this change (ISO 8601). */
  noticedAt: string;
}

/** What the check found: the changed contacts, and how many pins could not be checked (the account gone, or the server unreachable). */
export interface ContactKeyCheck {
  changed: ChangedContact[];
  unchecked: number;
}

/** Where the browser remembers when it first noticed each change: this device only, never the server. */
export interface NoticedTimes {
  /** The time first noticed for this contact and these served keys, recording `now` if new. */
  noticed(userId: string, servedKeys: string, now: Date): string;
  /** Forgets every contact not in `userIds` (changes re-verified, or gone). */
  keepOnly(userIds: readonly string[]): void;
}

/** Noticed times in memory only (tests, or a browser without localStorage). */
export function memoryNoticedTimes(): NoticedTimes {
  const times = new Map<string, { servedKeys: string; at: string }>();
  return {
    noticed(userId, servedKeys, now) {
      const seen = times.get(userId);
      if (seen?.servedKeys === servedKeys) return seen.at;
      times.set(userId, { servedKeys, at: now.toISOString() });
      return now.toISOString();
    },
    keepOnly(userIds) {
      for (const userId of times.keys()) if (!userIds.includes(userId)) times.delete(userId);
    },
  };
}

/**
 * Noticed times in this browser's localStorage, per account: contact ids and a digest of the
 * keys served, nothing secret (the server knows whom the person shares with).
 */
export function localNoticedTimes(ownerId: string): NoticedTimes {
  const storageKey = `hsc:key-changes-noticed:${ownerId}`;
  type Times = Record<string, { servedKeys: string; at: string }>;
  const read = (): Times => {
    let text: string | null;
    try {
      text = localStorage.getItem(storageKey);
    } catch (error) {
      // Storage the browser refuses (a privacy setting): the change counts as noticed now.
      if (!(error instanceof DOMException)) throw error;
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text ?? "{}");
      return typeof parsed === "object" && parsed !== null ? (parsed as Times) : {};
    } catch (error) {
      // Unreadable (written by something else): started afresh.
      if (!(error instanceof SyntaxError)) throw error;
      return {};
    }
  };
  const write = (times: Times) => {
    try {
      localStorage.setItem(storageKey, JSON.stringify(times));
    } catch (error) {
      // Full or refused storage: the time is not kept, and shows as noticed at the next check.
      if (!(error instanceof DOMException)) throw error;
    }
  };
  return {
    noticed(userId, servedKeys, now) {
      const times = read();
      const seen = times[userId];
      if (seen?.servedKeys === servedKeys && typeof seen.at === "string") return seen.at;
      times[userId] = { servedKeys, at: now.toISOString() };
      write(times);
      return now.toISOString();
    },
    keepOnly(userIds) {
      const times = read();
      write(Object.fromEntries(Object.entries(times).filter(([userId]) => userIds.includes(userId))));
    },
  };
}

/** The served keys in one string, so a second change after the first counts as noticed anew. */
const servedKeysOf = (identityPublicKey: string, encryptionFingerprint: string) => `${identityPublicKey}.${encryptionFingerprint}`;

type Outcome = { state: "same" } | { state: "unchecked" } | { state: "changed"; kind: ChangedContact["kind"]; keys: CertifiedKeys | null; served: string };

/**
 * A clinician's or another account's keys as served: the directory's (clinicians publish
 * theirs), else through the share code of the pinned identity key (an account's keys go only
 * to whoever holds its code; a changed identity key then has no account behind the old code).
 */
async function checkContact(userId: string, pin: PinnedContact, transport: Transport): Promise<Outcome> {
  let kind: "clinician" | "contact" = "clinician";
  let keys: CertifiedKeys;
  try {
    try {
      keys = await certifiedKeys(userId, transport);
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 404)) throw caught;
      kind = "contact";
      const code = shareCode(fromBase64url(pin.identityPublicKey), userId);
      keys = certifiedFrom(await transport.call(routes.emergencyContacts.contactKeys, { query: { code } }), userId);
    }
  } catch (caught) {
    // Keys served without a valid certificate for this account are not the pinned ones either.
    if (isIntegrityError(caught)) return { state: "changed", kind, keys: null, served: "uncertified" };
    if (caught instanceof ApiError) return { state: "unchecked" };
    throw caught;
  }
  if (samePin(pin, keys)) return { state: "same" };
  return {
    state: "changed",
    kind,
    keys,
    served: servedKeysOf(toBase64url(keys.identityPublicKey), toBase64url(keyFingerprint(keys.certificate.encryptionPublicKey))),
  };
}

/**
 * Administrators' keys as the deployment publishes them. One the server no longer lists stays
 * trusted under its pin (client/sharing/directory-verification.ts), so it is not a change.
 */
async function checkAdmins(pins: ReadonlyArray<[string, PinnedContact]>, transport: Transport): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  if (pins.length === 0) return outcomes;
  let admins;
  try {
    ({ admins } = await transport.call(routes.directoryVerification.admins, {}));
  } catch (caught) {
    if (!(caught instanceof ApiError)) throw caught;
    for (const [userId] of pins) outcomes.set(userId, { state: "unchecked" });
    return outcomes;
  }
  for (const [userId, pin] of pins) {
    const admin = admins.find((entry) => entry.userId === userId);
    if (!admin) {
      outcomes.set(userId, { state: "same" });
      continue;
    }
    let fingerprint = "uncertified";
    try {
      const certificate = verifyKeyCertificate(fromBase64url(admin.certificate), fromBase64url(admin.identityPublicKey), { userId });
      if (certificate.role === "admin") fingerprint = toBase64url(keyFingerprint(certificate.encryptionPublicKey));
    } catch (caught) {
      if (!isCryptoError(caught)) throw caught;
    }
    const same = admin.identityPublicKey === pin.identityPublicKey && fingerprint === pin.encryptionKeyFingerprint;
    outcomes.set(
      userId,
      same ? { state: "same" } : { state: "changed", kind: "admin", keys: null, served: servedKeysOf(admin.identityPublicKey, fingerprint) },
    );
  }
  return outcomes;
}

/**
 * Checks every contact pinned in the vault against the keys the server serves now. Reads
 * only; sends nothing about the pins beyond the key requests the app makes anyway.
 * @param noticed where the first-noticed times are kept (this device's storage by default)
 * @throws what is not a refusal or an unverifiable key (a programming error); ApiError never (a contact whose keys cannot be fetched is counted as unchecked)
 */
export async function checkPinnedContacts(
  vault: UnlockedVault,
  transport: Transport,
  noticed: NoticedTimes = localNoticedTimes(vault.userId),
  now: Date = new Date(),
): Promise<ContactKeyCheck> {
  await cryptoReady();
  const pins = Object.entries(vault.profile.contacts ?? {}).filter(([userId]) => userId !== vault.userId);
  const adminPins = pins.filter(([, pin]) => pin.role === "admin");
  const [adminOutcomes, contactOutcomes] = await Promise.all([
    checkAdmins(adminPins, transport),
    Promise.all(pins.filter(([, pin]) => pin.role !== "admin").map(async ([userId, pin]) => [userId, await checkContact(userId, pin, transport)] as const)),
  ]);
  const outcomes = new Map([...adminOutcomes, ...contactOutcomes]);
  const changed: ChangedContact[] = [];
  let unchecked = 0;
  for (const [userId, pin] of pins) {
    const outcome = outcomes.get(userId)!;
    if (outcome.state === "unchecked") unchecked += 1;
    if (outcome.state !== "changed") continue;
    changed.push({
      userId,
      pinned: pin,
      kind: outcome.kind,
      name: outcome.keys?.directory?.displayName ?? null,
      keys: outcome.keys,
      noticedAt: noticed.noticed(userId, outcome.served, now),
    });
  }
  noticed.keepOnly(changed.map((contact) => contact.userId));
  return { changed, unchecked };
}
