import { defineRoute, pendingJson } from "./route";
import { bodyLimits } from "./body-limits";

/** Routes other sites call: health probes and browsers' CSP violation reports. */
export const systemRoutes = {
  health: defineRoute({ method: "GET", path: "/api/health", access: "public", crossOrigin: true, response: pendingJson() }),
  cspReports: defineRoute({ method: "POST", path: "/api/csp-reports", access: "public", crossOrigin: true, bodyLimit: bodyLimits.cspReport, body: pendingJson(), response: pendingJson() }),
};
