import "server-only";
import { config } from "@/lib/config";
import type { RateLimitRule } from "@/lib/rate-limit";

const windowSeconds = 600;

/** Per address and per account, in 10-minute windows; a ceremony takes two requests. */
export function authLimits(): { perAddress: RateLimitRule; perAccount: RateLimitRule } {
  const { authLimitPerAddress, authLimitPerAccount } = config();
  return {
    perAddress: { name: "auth:address", limit: authLimitPerAddress, windowSeconds },
    perAccount: { name: "auth:account", limit: authLimitPerAccount, windowSeconds },
  };
}
