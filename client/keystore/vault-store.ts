import { create } from "zustand";
import type { VaultKey } from "@/crypto";

export interface UnlockedKeys {
  identitySecretKey: Uint8Array;
  identityPublicKey: Uint8Array;
  encryptionSecretKey: Uint8Array;
  encryptionPublicKey: Uint8Array;
  vaultKey: VaultKey;
}

/** A contact's keys as they were when first shared with: a later change means someone swapped them. */
export interface PinnedContact {
  identityPublicKey: string;
  encryptionKeyFingerprint: string;
  /** Whether the person compared the safety code (in person, or by scanning the share code). */
  verified: boolean;
  pinnedAt: string;
  /** "admin" for a deployment administrator's key, pinned to check directory verifications against (client/sharing/directory-verification.ts). */
  role?: "admin";
  /** What the person calls this contact (typed, or their directory name when pinned): known only inside the vault. */
  name?: string;
  /** How to reach this contact, as the person typed it (a phone number): printed on their emergency card, known only inside the vault. */
  reach?: string;
}

export interface ShownNames {
  /** Patient user id to the name that patient chose to show. */
  patients: Record<string, string>;
  /** Record id to its title as shown. */
  records: Record<string, string>;
}

export interface VaultProfile {
  /** A patient's own name: known only inside their vault. */
  displayName: string;
  /** Pinned keys of the clinicians this person shares with, by user id. */
  contacts?: Record<string, PinnedContact>;
  /** The last audit-chain head this person's browser verified (base64url hash), and how far they have looked. */
  auditHead?: { seq: number; hash: string; seenSeq: number };
  /**
   * What a clinician's browser has shown them, by id: patients' revealed names and record
   * titles. Their own access history keeps naming what they saw after the access ends.
   */
  shownNames?: ShownNames;
  /**
   * Care-team keys this person compared by safety code, by team id: the fingerprints
   * (base64url) of the key versions confirmed. A team key no administrator this browser trusts
   * certified gets a share key (a new share, or a share renewed after a member left) only once
   * confirmed here (client/teams/team-key-pins.ts).
   */
  teamKeys?: Record<string, string[]>;
  /** Counts every rewrite of the vault, inside its encryption: a browser that saw a higher count knows an older copy when served one. */
  sequence?: number;
}

/** The vault while it is open in this tab: who, in what role, with which keys and profile. */
export type UnlockedVault = Extract<VaultState, { status: "unlocked" }>;

type VaultState =
  | { status: "locked" }
  /** After sign-out: nothing may try to unlock again until the next sign-in. */
  | { status: "signed-out" }
  | {
      status: "unlocked";
      userId: string;
      role: "patient" | "doctor" | "nurse" | "admin";
      keys: UnlockedKeys;
      profile: VaultProfile;
    };

interface VaultStore {
  vault: VaultState;
  unlock(state: UnlockedVault): void;
  /** Overwrites every key in memory before dropping the references. */
  lock(next?: "locked" | "signed-out"): void;
}

/** The unlocked vault lives in memory only: never in storage, never sent anywhere. */
export const useVault = create<VaultStore>((set, get) => ({
  vault: { status: "locked" },
  unlock: (state) => {
    get().lock();
    set({ vault: state });
  },
  lock: (next = "locked") => {
    const current = get().vault;
    if (current.status === "unlocked") {
      for (const key of Object.values(current.keys)) key.fill(0);
    }
    set({ vault: { status: next } });
  },
}));

/** Thrown when work that needs the open vault runs while it is locked (signed out, or a tab that never unlocked). */
export class VaultLockedError extends Error {
  override readonly name = "VaultLockedError";
  constructor() {
    super("The vault is locked. Unlock it and try again.");
  }
}

/**
 * The open vault: the one accessor page-facing code uses to hand the vault to the services
 * (which take it as a parameter, so they run in tests without this store).
 * @throws VaultLockedError when it is not open.
 */
export function unlockedVault(): UnlockedVault {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new VaultLockedError();
  return vault;
}

/**
 * Whether `vault` is still the one open in this tab: the same unlock, whatever was saved to
 * its profile since. A profile change (a pinned contact, the audit head, names shown)
 * replaces the store's state object but keeps its keys, so the keys identify the unlock; a
 * lock zeroes them and a new unlock brings others. Work that runs for a while with one vault
 * (key maintenance) stops between steps once this is false.
 */
export function isStillOpen(vault: UnlockedVault): boolean {
  const current = useVault.getState().vault;
  return current.status === "unlocked" && current.keys === vault.keys;
}
