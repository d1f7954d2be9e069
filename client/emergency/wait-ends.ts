import type { EmergencyState } from "@/contract/emergency";

/** How long after a wait's end (server time) the page asks again: a browser clock a little ahead of the server's would otherwise ask too soon. */
export const waitEndMarginMs = 1_500;
/** The longest a browser timer waits (2^31 − 1 ms, about 24.8 days): the longest wait (7 days) is well within it. */
const maxTimerMs = 2_147_483_647;

/**
 * When a page listing emergency contacts should read them again because a wait ends (an
 * epoch time in ms, `waitEndMarginMs` after each running wait's end), for the rows still
 * `requested`; waits too far ahead for a timer are left to the next visit. Does not throw.
 */
export function reloadTimes(
  rows: ReadonlyArray<{ grantId: string; state: EmergencyState; opensAt: string | null }>,
  now: number = Date.now(),
): Array<{ grantId: string; at: number }> {
  return rows.flatMap((row) => {
    if (row.state !== "requested" || !row.opensAt) return [];
    const at = Date.parse(row.opensAt) + waitEndMarginMs;
    return Number.isFinite(at) && at - now <= maxTimerMs ? [{ grantId: row.grantId, at }] : [];
  });
}
