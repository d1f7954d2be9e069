import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readmePath, regenerateCommand, rolesMarkdown, withRolesTables } from "./roles-table";
import { roleIds, roles, routeRules } from "../contract/roles";

describe("the README's roles tables", () => {
  it("are what contract/roles.ts generates", () => {
    const readme = readFileSync(readmePath, "utf8");
    expect(readme === withRolesTables(readme), `README.md's roles tables are out of date with contract/roles.ts: run ${regenerateCommand}`).toBe(true);
  });

  it("name every role and every route", () => {
    const markdown = rolesMarkdown();
    for (const id of roleIds) expect(markdown).toContain(`| ${roles[id].name} |`);
    for (const route of Object.keys(routeRules)) expect(markdown).toContain(`| \`${route}\` |`);
  });

  it("refuse to write into a README without the markers", () => {
    expect(() => withRolesTables("# A README\n")).toThrow(/markers/);
  });
});
