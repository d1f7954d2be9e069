"use client";

import { useEffect } from "react";
import { keepEmergencySetsCurrent } from "@/client/emergency/emergency-contacts";
import { reportIfBug } from "@/client/failures";
import { useVault } from "@/client/keystore/vault-store";
import { useChart } from "@/client/records/chart-store";
import type { OkEntry } from "@/client/records/records";
import { httpTransport } from "@/client/transport/api";

/**
 * Keeps the patient's emergency sets current from any page, as EmergencyCardKeeper keeps the
 * card: whenever this page's whole chart is (re)loaded, records of the chosen kinds that joined
 * are wrapped for each emergency contact (client/emergency/emergency-contacts.ts). Renders
 * nothing; a failure is retried at the next change or visit.
 */
export function EmergencyContactsKeeper() {
  useEffect(
    () =>
      useChart.subscribe((state, previous) => {
        if (!state.complete || !state.entries || state.entries === previous.entries) return;
        const vault = useVault.getState().vault;
        if (vault.status !== "unlocked") return;
        const entries = state.entries.filter((entry): entry is OkEntry => entry.status === "ok");
        keepEmergencySetsCurrent(entries, vault, httpTransport).catch(reportIfBug);
      }),
    [],
  );
  return null;
}
