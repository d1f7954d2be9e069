/**
 * Every port the browser suite listens on, as an offset from E2E_PORT (3100 by default), in
 * one place: specs run in two Playwright workers at once, so two specs that start servers of
 * their own must never share a port. The suite's own two servers are set in
 * playwright.config.ts (offsets 0 and 1).
 */
const base = Number(process.env.E2E_PORT ?? 3100);

export const e2ePorts = {
  /** The suite's server (playwright.config.ts). */
  main: base,
  /** The independent SMART Health Links peer of shl-viewer.spec.ts (127.0.0.1). */
  shlPeer: base + 2,
  accountDeletion: base + 3,
  limits: base + 4,
  freshProof: base + 5,
  adminConsole: base + 6,
  careTeams: base + 7,
  crashPglite: base + 8,
  crashPostgres: base + 9,
  /** multi-instance.spec.ts: HAProxy, then instances one and two, then the refused second server. */
  balancer: base + 10,
  instanceOne: base + 11,
  instanceTwo: base + 12,
  secondOnEmbedded: base + 13,
} as const;
