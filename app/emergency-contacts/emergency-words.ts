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
