import type { EmergencyState } from "@/contract/emergency";

/** A wait in words: "Immediately", "24 hours", "48 hours", "7 days". */
export function waitWords(seconds: number): string {
  if (seconds === 0) return "Immediately";
  if (seconds % 86_400 === 0 && seconds >= 7 * 86_400) return `${seconds / 86_400} days`;
  return `${seconds / 3_600} hours`;
}

/** Where an emergency contact stands, in words the patient and the contact both read. */
export function stateWords(state: EmergencyState): string {
  switch (state) {
    case "standby":
      return "Ready: no request.";
    case "requested":
      return "Access requested: waiting.";
    case "open":
      return "Open: the emergency set can be read.";
    case "refused":
      return "The last request was refused.";
    case "ended":
      return "Ended.";
  }
}

/**
 * Whether the part of the page for someone's emergency contact comes first: while a request of
 * theirs waits or access is open, that is what they came for (on a phone, below a patient's own
 * sections, it would be a long scroll away). Otherwise a patient's own contacts come first.
 */
export function contactPartFirst(roles: ReadonlyArray<{ state: EmergencyState }> | null): boolean {
  return (roles ?? []).some((role) => role.state === "requested" || role.state === "open");
}

/** Failure words shared by the page's forms and rows. */
export const failureWords = {
  accessEnded: "Your session ended. Sign in again.",
  integrity: "This share code does not match the keys the server presented for that account. Nothing was shared.",
  unreachable: "Health Safe Cloud could not be reached. Check your connection and try again.",
};
