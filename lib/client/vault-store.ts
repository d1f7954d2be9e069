import { create } from "zustand";

export interface UnlockedKeys {
  identitySecretKey: Uint8Array;
  identityPublicKey: Uint8Array;
  encryptionSecretKey: Uint8Array;
  encryptionPublicKey: Uint8Array;
  vaultKey: Uint8Array;
}

export interface VaultProfile {
  /** A patient's own name: known only inside their vault. */
  displayName: string;
}

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
  unlock(state: Extract<VaultState, { status: "unlocked" }>): void;
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
