"use client";

import { useEffect } from "react";
import { keepCardCurrent } from "@/client/emergency-card/card-link";
import { keepEmergencySetsCurrent } from "@/client/emergency/emergency-contacts";
import { reportIfBug } from "@/client/failures";
import { useVault } from "@/client/keystore/vault-store";
import { useChart } from "@/client/records/chart-store";
import type { OkEntry } from "@/client/records/records";
import { httpTransport } from "@/client/transport/api";

/**
 * Keeps the patient's emergency sets current from any page: whenever this page's whole chart is
 * (re)loaded, which happens after every write, the emergency card's link is re-encrypted if its
 * set changed (client/emergency-card/card-link.ts), and records of the chosen kinds that joined
 * are wrapped for each emergency contact (client/emergency/emergency-contacts.ts). Renders
 * nothing; a failure is retried at the next change or visit. Each keeper fails on its own.
 */
export function EmergencyKeepers() {
  useEffect(
    () =>
      useChart.subscribe((state, previous) => {
        if (!state.complete || !state.entries || state.entries === previous.entries) return;
        const vault = useVault.getState().vault;
        if (vault.status !== "unlocked") return;
        const entries = state.entries.filter((entry): entry is OkEntry => entry.status === "ok");
        keepCardCurrent(entries, vault, httpTransport).catch(reportIfBug);
        keepEmergencySetsCurrent(entries, vault, httpTransport).catch(reportIfBug);
      }),
    [],
  );
  return null;
}
