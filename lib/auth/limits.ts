import "server-only";
import type { RateLimitRule } from "@/lib/rate-limit";

/** Generous for people, tight for scripts: a ceremony takes two requests. */
export const authLimits = {
  perAddress: { name: "auth:address", limit: 60, windowSeconds: 600 },
  perAccount: { name: "auth:account", limit: 20, windowSeconds: 600 },
} satisfies Record<string, RateLimitRule>;
