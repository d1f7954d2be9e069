import { adminConsoleRoutes } from "./admin-console";
import { authRoutes } from "./auth";
import { directoryVerificationRoutes } from "./directory";
import { emergencyAccessRoutes, emergencyContactRoutes } from "./emergency";
import { importsRoutes } from "./imports";
import { linksRoutes, shlRoutes } from "./links";
import { auditRoutes, securityRoutes, vaultRoutes } from "./me";
import { noticeRoutes } from "./notices";
import { blobsRoutes, recordsRoutes } from "./records";
import type { RouteDefinition } from "./route";
import { directoryRoutes, grantsRoutes, keyMaintenanceRoutes, sharedRoutes } from "./sharing";
import { systemRoutes } from "./system";
import { teamRenewalRoutes } from "./team-renewal";
import { teamsRoutes } from "./teams";

/** Every API route, by domain: the one table both sides use. */
export const routes = {
  auth: authRoutes,
  system: systemRoutes,
  records: recordsRoutes,
  imports: importsRoutes,
  blobs: blobsRoutes,
  grants: grantsRoutes,
  shared: sharedRoutes,
  directory: directoryRoutes,
  directoryVerification: directoryVerificationRoutes,
  keyMaintenance: keyMaintenanceRoutes,
  vault: vaultRoutes,
  audit: auditRoutes,
  security: securityRoutes,
  links: linksRoutes,
  shl: shlRoutes,
  adminConsole: adminConsoleRoutes,
  notices: noticeRoutes,
  teams: teamsRoutes,
  teamRenewals: teamRenewalRoutes,
  emergencyContacts: emergencyContactRoutes,
  emergencyAccess: emergencyAccessRoutes,
} as const;

/** Every route, flat, each with its name ("records.create") for messages and tests. */
export const routeTable: ReadonlyArray<RouteDefinition & { name: string }> = Object.entries(routes).flatMap(([domain, group]) =>
  Object.entries(group as Record<string, RouteDefinition>).map(([name, route]) => ({ ...route, name: `${domain}.${name}` })),
);
