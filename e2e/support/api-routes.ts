import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** One handler exported by a route file under app/api, and what its source does with the body. */
export interface ApiRoute {
  /** "POST /api/records/[id]/versions" */
  key: string;
  method: string;
  template: string;
  source: string;
}

/** Every route handler under app/api, read from the source so a new route cannot be forgotten by a test. */
export function apiRoutes(): ApiRoute[] {
  const appRoot = path.resolve(__dirname, "../../app");
  const walk = (directory: string): string[] =>
    readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(path.join(directory, entry.name)) : entry.name === "route.ts" ? [path.join(directory, entry.name)] : [],
    );
  return walk(path.join(appRoot, "api")).flatMap((file) => {
    const template = `/${path.relative(appRoot, path.dirname(file)).split(path.sep).join("/")}`;
    const text = readFileSync(file, "utf8");
    const exports = [...text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)];
    // Each handler's source runs from its export to the next one.
    return exports.map((match, index) => ({
      key: `${match[1]} ${template}`,
      method: match[1]!,
      template,
      source: text.slice(match.index, exports[index + 1]?.index ?? text.length),
    }));
  });
}

export const templateMatches = (template: string, concrete: string) => new RegExp(`^${template.replace(/\[[^\]]+\]/g, "[^/]+")}$`).test(concrete.split("?")[0]!);
