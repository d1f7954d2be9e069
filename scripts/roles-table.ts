import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { roleIds, roles, routeRules, type ActiveRoleId, type Reach } from "../contract/roles";

/**
 * The README's roles tables, generated from contract/roles.ts: every role and what it may do,
 * and every API route with whose data each role reaches through it. They go between marker
 * comments in README.md; `npx tsx scripts/roles-table.ts` rewrites them, and
 * scripts/roles-table.test.ts fails when the README is behind the definitions.
 */

export const regenerateCommand = "npx tsx scripts/roles-table.ts";
export const startMarker = "<!-- roles-table:start (generated from contract/roles.ts by `npx tsx scripts/roles-table.ts`; do not edit by hand) -->";
export const endMarker = "<!-- roles-table:end -->";

const cell = (text: string) => text.replaceAll("|", "\\|");

const reachWords: Record<Reach, string> = { own: "own", shared: "shared", any: "any", none: "—" };

const routeColumns: Array<{ role: ActiveRoleId; heading: string }> = [
  { role: "patient", heading: "Patient" },
  { role: "doctor", heading: "Doctor" },
  { role: "nurse", heading: "Nurse" },
  { role: "teamMember", heading: "Team member" },
  { role: "organizationAdministrator", heading: "Org. admin" },
  { role: "deploymentAdministrator", heading: "Deployment admin" },
];

/** The Markdown between the markers: the roles table, a legend, and the per-route table. */
export function rolesMarkdown(): string {
  const lines = ["| Role | Gets it by | May | May not |", "| --- | --- | --- | --- |"];
  for (const id of roleIds) {
    const role = roles[id];
    lines.push(`| ${cell(role.name)} | ${cell(role.gets)} | ${cell(role.may)} | ${cell(role.mayNot)} |`);
  }
  lines.push(
    "",
    "Every API route and whose data each role reaches through it: **own** (the caller's own account, chart or organization),",
    "**shared** (what a patient shared with the caller through an active grant), **any** (anyone's: deployment-wide, or the",
    "public directory), **—** (refused: `403 forbidden`, or `404 not-found` where marked). A disabled account gets what",
    "someone signed out gets: `401 unauthenticated` from every route that needs a session. A team member or an organization",
    "administrator is also a doctor, nurse or other account: what that role reaches, they reach too. Routes marked *to come*",
    "are defined ahead of the change that serves them.",
    "",
    `| Route | What it does | ${routeColumns.map((column) => column.heading).join(" | ")} | Signed out |`,
    `| --- | --- | ${routeColumns.map(() => "---").join(" | ")} | --- |`,
  );
  for (const [route, rule] of Object.entries(routeRules)) {
    const reaches = routeColumns.map((column) => reachWords[rule.reach[column.role] ?? "none"]);
    const signedOut = rule.access === "public" ? reachWords[rule.anyone ?? "none"] : "401";
    const notes = [rule.toCome ? "*to come*" : "", rule.refusal ? `refused as ${rule.refusal.status}` : ""].filter(Boolean).join("; ");
    lines.push(`| \`${route}\` | ${cell(rule.does)}${notes ? ` (${notes})` : ""} | ${reaches.join(" | ")} | ${signedOut} |`);
  }
  return lines.join("\n");
}

/** `readme` with the generated tables between the markers. Throws Error when the markers are missing. */
export function withRolesTables(readme: string): string {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`README.md lacks the roles-table markers (${startMarker} ... ${endMarker}).`);
  return `${readme.slice(0, start + startMarker.length)}\n\n${rolesMarkdown()}\n\n${readme.slice(end)}`;
}

export const readmePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../README.md");

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(readmePath, "utf8");
  const updated = withRolesTables(readme);
  if (updated !== readme) writeFileSync(readmePath, updated);
  console.log(updated === readme ? "README.md's roles tables were up to date." : "README.md's roles tables rewritten.");
}
