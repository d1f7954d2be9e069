import type { Page } from "@playwright/test";
import type { RouteDefinition } from "@/contract/route";
import { routeTable } from "@/contract/routes";

/** One route of the API as the contract's table declares it (contract/routes.ts). */
export interface ApiRoute {
  /** "POST /api/records/[id]/versions" */
  key: string;
  /** The route's name in the table ("records.addVersion"). */
  name: string;
  method: RouteDefinition["method"];
  template: string;
  /** The request body: a JSON schema, "binary" bytes, or none. */
  body: RouteDefinition["body"];
  /** The most bytes the route reads from a body (contract/body-limits.ts); absent for the standard limit. */
  bodyLimit?: number;
  crossOrigin: boolean;
}

/**
 * Every API route, from the one table both sides use: a route added there is covered by the
 * suites that read this list the day it is added (contract/routes.test.ts checks the table
 * against the route files under app/api).
 */
export function apiRoutes(): ApiRoute[] {
  return routeTable.map((route) => ({
    key: `${route.method} ${route.path}`,
    name: route.name,
    method: route.method,
    template: route.path,
    body: route.body,
    bodyLimit: route.bodyLimit,
    crossOrigin: route.crossOrigin === true,
  }));
}

export const templateMatches = (template: string, concrete: string) =>
  new RegExp(`^${template.replace(/\[[^\]]+\]/g, "[^/]+")}$`).test(concrete.split("?")[0]!);

/**
 * The chart's list (GET /api/records) whatever its query (the browser asks `?limit=` for its
 * pages), for page.route and page.unroute: a glob ending in "/api/records" misses a query.
 */
export const chartListUrl = (url: URL) => url.pathname === "/api/records";

/** What the page sent and got for these API paths, in order ("METHOD /path status"), as the page goes on. */
export function watchApiCalls(page: Page, paths: RegExp): string[] {
  const seen: string[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (paths.test(url.pathname)) seen.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return seen;
}
