import { describe, expect, it } from "vitest";
import { routeFiles } from "../scripts/route-files";
import { z } from "zod";
import type { RouteDefinition } from "./route";
import { routeTable } from "./routes";

const schemasOf = (route: RouteDefinition) => [route.params, route.query, route.body, route.response].filter((schema) => typeof schema === "object");

describe("the route table", () => {
  it("lists exactly the routes app/api serves", () => {
    const declared = routeTable.map((route) => `${route.method} ${route.path}`).sort();
    expect(declared).toEqual(routeFiles());
  });

  it("declares each method and path once", () => {
    const keys = routeTable.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("names every path parameter in its params schema", () => {
    for (const route of routeTable) {
      const segments = [...route.path.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]);
      expect(Object.keys(route.params?.shape ?? {}).sort(), route.name).toEqual(segments.sort());
    }
  });

  it("gives every route that reads a body a body schema, and none to GET or DELETE", () => {
    for (const route of routeTable) {
      if (route.method === "GET" || route.method === "DELETE") expect(route.body, route.name).toBeUndefined();
    }
  });

  it("declares a real shape for every JSON part: no route takes or answers just anything", () => {
    const loose = routeTable
      .filter((route) => schemasOf(route).some((schema) => schema instanceof z.ZodUnknown || schema instanceof z.ZodAny))
      .map((route) => route.name);
    expect(loose).toEqual([]);
  });
});
