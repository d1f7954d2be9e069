"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { signOut } from "@/lib/client/sign-in";
import { useVault } from "@/lib/client/vault-store";

function Dashboard() {
  const vault = useVault((state) => state.vault);
  const router = useRouter();
  const [signingOut, setSigningOut] = useState(false);
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
        <button
          type="button"
          className="button button-secondary"
          disabled={signingOut}
          onClick={async () => {
            setSigningOut(true);
            await signOut().catch(() => undefined);
            router.push("/");
          }}
        >
          Sign out
        </button>
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
