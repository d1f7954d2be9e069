import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { defineRoute } from "./route";

/** The health report: which database serves the app, whether every migration is applied, and which store holds the files (reachable). */
export const healthReportSchema = z.object({
  status: z.literal("ok"),
  database: z.object({
    kind: z.enum(["pglite", "postgres"]),
    migrations: z.object({ applied: z.number().int().nonnegative(), expected: z.number().int().nonnegative(), upToDate: z.boolean() }),
  }),
  blobStore: z.object({ kind: z.enum(["file", "s3", "database"]) }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/**
 * What anyone probing the deployment is told: that it serves. Which database and file store it
 * runs on, and its migrations, are the administration console's (a stranger has no use for them
 * but to pick an attack).
 */
export const healthProbeSchema = z.object({ status: z.literal("ok") });

/** Routes other sites call: health probes and browsers' CSP violation reports. */
export const systemRoutes = {
  health: defineRoute({
    method: "GET",
    path: "/api/health",
    access: "public",
    crossOrigin: true,
    why: "Load balancers and monitors probe it; it reads nobody's data and writes nothing.",
    response: healthProbeSchema,
  }),
  /**
   * Browsers send reports as application/csp-report or application/reports+json, two formats
   * (report-uri's and the Reporting API's) read field by field by lib/security: raw bytes here.
   */
  cspReports: defineRoute({
    method: "POST",
    path: "/api/csp-reports",
    access: "public",
    crossOrigin: true,
    why: "Browsers send violation reports themselves, without the page's headers; the route only logs, under a rate limit.",
    bodyLimit: bodyLimits.cspReport,
    body: "binary",
    response: "empty",
  }),
};
