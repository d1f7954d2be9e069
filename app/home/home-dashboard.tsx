"use client";

import Link from "next/link";
import { VaultGate } from "@/app/_components/vault-gate";
import { useVault } from "@/client/keystore/vault-store";

/** What an administrator's account does: the console, and their own security settings. */
function AdminToday() {
  return (
    <div data-testid="admin-today">
      <p>As an administrator you operate this deployment. Your account can:</p>
      <ul>
        <li>
          see the deployment&apos;s counts, health and security events, disable and enable accounts, and read the administration trail in the{" "}
          <Link href="/admin">administration console</Link>;
        </li>
        <li>manage your passkeys, your sessions and your recovery key in Security settings.</li>
      </ul>
      <p>
        Administrators never see anyone&apos;s records or sharing: the server refuses them like any other stranger, and the records are encrypted for their
        owners and the clinicians they chose.
      </p>
    </div>
  );
}

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
        Signed in as {vault.role === "admin" ? "an" : "a"} <strong>{vault.role === "admin" ? "administrator" : vault.role}</strong>.
      </p>
      {vault.role === "admin" && <AdminToday />}
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
