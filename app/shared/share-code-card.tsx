"use client";

import { useEffect, useState } from "react";
import { QrCode } from "@/app/_components/qr-code";
import { certifiedKeys } from "@/client/sharing/contacts";
import { failureKind } from "@/client/failures";
import { httpTransport } from "@/client/transport/api";
import { useVault } from "@/client/keystore/vault-store";

/**
 * A clinician's own share code: a patient who scans the QR code or opens the link reaches
 * this clinician with their key already checked against the code. With `forEmergency`, the
 * code alone, worded for a patient naming this account their emergency contact.
 */
export function ShareCodeCard({ forEmergency = false }: { forEmergency?: boolean }) {
  const vault = useVault((state) => state.vault);
  const [code, setCode] = useState<{ shareCode: string; digits: string } | null>(null);
  const userId = vault.status === "unlocked" ? vault.userId : null;

  useEffect(() => {
    if (!userId) return;
    certifiedKeys(userId, httpTransport).then(
      (keys) => setCode({ shareCode: keys.shareCode, digits: keys.safetyCode.digits }),
      (caught: unknown) => {
        // No card when one's own keys cannot be fetched or verified; a bug is not one of those.
        if (failureKind(caught) === null) throw caught;
        setCode(null);
      },
    );
  }, [userId]);

  if (!code) return null;
  if (forEmergency)
    return (
      <section className="card" aria-labelledby="share-code-title">
        <h2 id="share-code-title">Your share code</h2>
        <p>Someone who names you their emergency contact types this code. It carries your account and your key, so their app checks it is really you.</p>
        <p>
          Share code: <code data-testid="own-share-code">{code.shareCode}</code>
        </p>
        <p className="hint">Safety code, to compare in person: {code.digits}</p>
      </section>
    );
  const link = `${window.location.origin}/share?code=${encodeURIComponent(code.shareCode)}`;
  return (
    <section className="card" aria-labelledby="share-code-title">
      <h2 id="share-code-title">Your share code</h2>
      <p>Patients scan this code, or open the link, to share records with you. It carries your account and your key, so their app checks it is really you.</p>
      <QrCode text={link} label="QR code with your share link" />
      <p>
        Share code: <code data-testid="own-share-code">{code.shareCode}</code>
      </p>
      <p className="hint">
        Link: <span data-testid="own-share-link">{link}</span>
      </p>
      <p className="hint">Safety code, to compare in person: {code.digits}</p>
    </section>
  );
}
