"use client";

import { useEffect, useRef } from "react";
import type { EmergencyState } from "@/contract/emergency";
import { watchNotices } from "@/client/notices/notices";
import { reloadTimes } from "@/client/emergency/wait-ends";

/**
 * Keeps a list of emergency contacts (or roles) current without a reload: `reload` runs when the
 * person's live notice stream (server-sent events) says their notices changed (a request made,
 * approved, refused, ended: each leaves a notice for the other side), and at the end of each
 * running wait, which no event marks (the server decides it from its clock when asked).
 */
export function useLiveReload(reload: () => void, rows: ReadonlyArray<{ grantId: string; state: EmergencyState; opensAt: string | null }> | null) {
  const latest = useRef(reload);
  useEffect(() => {
    latest.current = reload;
  }, [reload]);
  useEffect(() => {
    // The stream's first count (sent on connecting) is no change: only later ones reload.
    let first = true;
    return watchNotices(() => {
      if (first) first = false;
      else latest.current();
    });
  }, []);
  // One key for the waits running: the timers are set again only when they change.
  const waits = JSON.stringify(reloadTimes(rows ?? []));
  useEffect(() => {
    const timers = (JSON.parse(waits) as Array<{ at: number }>).map(({ at }) => setTimeout(() => latest.current(), Math.max(0, at - Date.now())));
    return () => timers.forEach(clearTimeout);
  }, [waits]);
}
