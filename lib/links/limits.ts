import "server-only";
import type { RateLimitRule } from "@/lib/rate-limit";

/**
 * Rate limits of SMART Health Links, in 10-minute windows:
 * - openPerAddress: every request to the blind routes (/api/shl/**) from one client address.
 *   A viewer opens a link with one or two requests;
 * - passcodePerAddress (one hour): passcodes one address sends, right or wrong, to any links.
 *   Each link's own count protects it too (10 wrong passcodes over the life of a P link; 5
 *   tries a day for a long-term LP link: contract/links.ts `longTermGuesses`);
 * - createPerAccount: links one patient makes (each costs an Argon2id hash for a P link and
 *   stores up to 8 MiB).
 */
export const linkLimits = {
  openPerAddress: { name: "shl:address", limit: 120, windowSeconds: 600, refusal: "Too many link requests from this network" },
  passcodePerAddress: { name: "shl:passcode-address", limit: 60, windowSeconds: 3600, refusal: "Too many passcodes tried from this network" },
  createPerAccount: { name: "links:account", limit: 30, windowSeconds: 600, refusal: "Too many links made from this account" },
  /** Replacements of a long-term link's file (the emergency card kept current after each change of the chart). */
  updatePerAccount: { name: "links:update", limit: 120, windowSeconds: 600, refusal: "Too many link updates from this account" },
} as const satisfies Record<string, RateLimitRule>;
