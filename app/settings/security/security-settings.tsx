"use client";

import { VaultGate } from "@/app/_components/vault-gate";
import { ownSafetyCode } from "@/client/account/security";
import { PasskeysSection } from "./passkeys-section";
import { RecoverySection } from "./recovery-section";
import { SessionsSection } from "./sessions-section";
import { StorageSection } from "./storage-section";
import { LeaveSection } from "./leave-section";
import { unlockedVault, useVault } from "@/client/keystore/vault-store";

function SafetyCodeSection() {
  const code = ownSafetyCode(unlockedVault());
  return (
    <section className="card" aria-labelledby="safety-code-title">
      <h2 id="safety-code-title">Your safety code</h2>
      <p className="hint">
        People you share with can compare this code with the one their app shows for you. If the codes match, nobody, not even our server, has put another key
        in your place.
      </p>
      <p className="safety-code" data-testid="safety-code">
        {code.digits}
      </p>
    </section>
  );
}

/** Only patients store files and records of their own. */
function PatientStorage() {
  const vault = useVault((state) => state.vault);
  return vault.status === "unlocked" && vault.role === "patient" ? <StorageSection /> : null;
}

export function SecuritySettings() {
  return (
    <VaultGate>
      <SafetyCodeSection />
      <PatientStorage />
      <PasskeysSection />
      <SessionsSection />
      <RecoverySection />
      <LeaveSection />
    </VaultGate>
  );
}
