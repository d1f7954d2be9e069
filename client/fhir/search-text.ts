/**
 * The text the chart's search looks through for one record: every name, code and word the
 * detail view shows (every coding's "system|code" and display, concept texts, references by
 * name, values, notes), never narrative HTML or inline file data.
 */
import { referenceName } from "./names";
import { isObject, type ContextEntry, type FhirResource } from "./types";

// Wiring and bulk that the detail view does not show as words.
const skipped = new Set(["div", "data", "id", "meta", "fullUrl", "url", "hash", "contained", "reference"]);
const maxDepth = 12;

/**
 * Every searchable string in a resource, depth first: codings as "system|code" and display,
 * string values, references as the names of what they point to (contained or context).
 */
export function searchWords(resource: FhirResource, context: readonly ContextEntry[] = []): string[] {
  const words: string[] = [];
  const visit = (value: unknown, key: string, depth: number): void => {
    if (depth > maxDepth || skipped.has(key)) return;
    if (typeof value === "string") {
      if (value.length <= 2000) words.push(value);
      return;
    }
    if (typeof value === "number") return void words.push(String(value));
    if (Array.isArray(value)) return value.forEach((item) => visit(item, key, depth + 1));
    if (!isObject(value)) return;
    if (typeof value.code === "string" && typeof value.system === "string") words.push(`${value.system}|${value.code}`);
    if (typeof value.reference === "string") {
      const name = referenceName(value, resource, context);
      if (name) words.push(name);
    }
    for (const [name, inner] of Object.entries(value)) if (name !== "system") visit(inner, name, depth + 1);
  };
  visit(resource, "", 0);
  return words;
}
