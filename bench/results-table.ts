/**
 * Prints bench/results.json as the README's Markdown table ("Figures of the last full run"):
 * one row per figure, PGlite and PostgreSQL side by side, with its unit, target and note.
 *
 *   npx tsx bench/results-table.ts [path/to/results.json]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { figureCatalogue, type FigureDefinition } from "./figures";

type Results = Record<string, unknown> & { meta: { figures: Record<string, { note?: string; reason?: string }> } };

const file = process.argv[2] ?? path.join(__dirname, "results.json");
const results = JSON.parse(readFileSync(file, "utf8")) as Results;
const shown = (value: unknown) =>
  value === null || value === undefined ? "–" : typeof value === "number" ? value.toLocaleString("en-GB", { maximumFractionDigits: 3 }) : String(value);
const cell = (text: string) => text.replace(/\|/g, "\\|");

console.log("| key | PGlite | PostgreSQL | unit | target | note |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [key, definition] of Object.entries(figureCatalogue) as [string, FigureDefinition][]) {
  const pg = definition.perDatabase ? results[`${key}_pg`] : undefined;
  const about = results.meta.figures[key];
  const note = about?.note ?? about?.reason ?? "";
  console.log(`| \`${key}\` | ${shown(results[key])} | ${shown(pg)} | ${definition.unit} | ${cell(definition.target ?? "")} | ${cell(note)} |`);
}
