import { describe, expect, it } from "vitest";
import { routeFiles } from "../scripts/route-files";
import { outcomeFor, roleRefusal, routeRules, unauthenticatedRefusal } from "./roles";
import { routeTable } from "./routes";

const defined = Object.entries(routeRules);

describe("the role definitions", () => {
  it("define every route file under app/api, and every route they define (but those to come) has a route file", () => {
    const served = routeFiles();
    expect(served.length).toBeGreaterThan(40);
    expect(
      served.filter((route) => !routeRules[route]),
      "route files without a definition in contract/roles.ts",
    ).toEqual([]);
    expect(
      defined.filter(([route, rule]) => !rule.toCome && !served.includes(route)).map(([route]) => route),
      "definitions without a route file",
    ).toEqual([]);
    expect(
      defined.filter(([route, rule]) => rule.toCome && served.includes(route)).map(([route]) => route),
      "routes marked to come that now have a route file: drop `toCome`",
    ).toEqual([]);
  });

  it("say public or session as the contract's route table does", () => {
    const differing = routeTable
      .filter((route) => routeRules[`${route.method} ${route.path}`]?.access !== route.access)
      .map((route) => `${route.method} ${route.path}: the contract says ${route.access}`);
    expect(differing).toEqual([]);
  });

  it("give public routes what someone signed out reaches, and session routes nothing of the kind", () => {
    for (const [route, rule] of defined) expect(rule.anyone !== undefined, route).toBe(rule.access === "public");
  });

  it("refuse signed-out callers and disabled accounts every session route, and roles they do not name", () => {
    expect(outcomeFor("GET /api/records", "unauthenticated")).toEqual(unauthenticatedRefusal);
    expect(outcomeFor("GET /api/records", "disabledAccount")).toEqual(unauthenticatedRefusal);
    expect(outcomeFor("GET /api/records", "patient")).toBe("allowed");
    expect(outcomeFor("GET /api/records", "doctor")).toEqual(roleRefusal);
    expect(outcomeFor("GET /api/shared", "nurse")).toBe("allowed");
    expect(outcomeFor("GET /api/admin/overview", "deploymentAdministrator")).toBe("allowed");
    expect(outcomeFor("GET /api/admin/overview", "patient")).toEqual(roleRefusal);
    expect(outcomeFor("GET /api/blobs/[id]/chunks/[index]", "deploymentAdministrator")).toEqual({ status: 404, code: "not-found" });
    expect(outcomeFor("GET /api/health", "disabledAccount")).toBe("allowed");
    expect(() => outcomeFor("GET /api/nowhere", "patient")).toThrow(TypeError);
  });
});
