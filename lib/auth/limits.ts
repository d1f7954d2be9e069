import "server-only";
import { config } from "@/lib/config";
import type { RateLimitRule } from "@/lib/rate-limit";

const windowSeconds = 600;

/**
 * The authentication limits, in 10-minute windows (a ceremony takes two requests):
 * - perAddress: every authentication request from one client address;
 * - perAddressAndAccount: attempts naming one account (passkey, recovery key, new user id)
 *   from one address. Never per account alone: junk naming someone's passkey id from one
 *   address must not lock its owner out on another (signatures cannot be guessed, so a
 *   global per-account count would protect nothing and lock people out);
 * - signUpPerAddress: completed sign-up attempts per address per hour.
 */
export function authLimits(): { perAddress: RateLimitRule; perAddressAndAccount: RateLimitRule; signUpPerAddress: RateLimitRule } {
  const { authLimitPerAddress, authLimitPerAccount, signUpLimitPerAddress } = config();
  return {
    perAddress: { name: "auth:address", limit: authLimitPerAddress, windowSeconds },
    perAddressAndAccount: { name: "auth:address-account", limit: authLimitPerAccount, windowSeconds },
    signUpPerAddress: { name: "sign-up:address", limit: signUpLimitPerAddress, windowSeconds: 3600 },
  };
}

/** The checks for an attempt naming `account` (a passkey id, `recovery:<key>`, a new user id) from `address`. */
export function accountAttemptChecks(address: string, account: string) {
  const { perAddress, perAddressAndAccount } = authLimits();
  return [
    { rule: perAddress, subject: address },
    // The address is an IP address (or "unknown"), so "|" cannot be forged into a collision.
    { rule: perAddressAndAccount, subject: `${address}|${account}` },
  ];
}
