"use client";

import Link from "next/link";
import { VaultGate } from "@/app/_components/vault-gate";
import { useVault } from "@/lib/client/vault-store";

function Dashboard() {
  const vault = useVault((state) => state.vault);
  if (vault.status !== "unlocked") return null;
  const greeting = vault.profile.displayName ? `Welcome, ${vault.profile.displayName}` : "Welcome";
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{greeting}</h1>
      <p className="status" data-state="ready" data-testid="vault-status">
        Your vault is unlocked on this device.
      </p>
      <p>
        Signed in as a <strong>{vault.role}</strong>.
      </p>
      <div className="actions">
        {vault.role === "patient" && (
          <Link href="/chart" className="button">
            My records
          </Link>
        )}
        <Link href="/settings/security" className="button button-secondary">
          Security settings
        </Link>
      </div>
    </section>
  );
}

export function HomeDashboard() {
  return (
    <VaultGate>
      <Dashboard />
    </VaultGate>
  );
}
