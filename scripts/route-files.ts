import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const apiRoot = path.resolve(__dirname, "../app/api");

/**
 * Every "METHOD /api/path" (Next's folder form) that a route file under app/api exports a
 * handler for, sorted: what the unit tests hold the route table and the role definitions
 * against. The catch-all `app/api/[...unknown]` (the API's 404 for paths no route serves) is
 * not a route of the table. Node only (it reads the source tree); tests import it, the app never does.
 */
export function routeFiles(): string[] {
  const served: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "[...unknown]") walk(full);
      } else if (entry.name === "route.ts") {
        const urlPath = "/api/" + path.relative(apiRoot, dir).split(path.sep).join("/");
        for (const [, method] of readFileSync(full, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) served.push(`${method} ${urlPath}`);
      }
    }
  };
  walk(apiRoot);
  return served.sort();
}
