/**
 * npm run bench — runs every benchmark suite, each in a child process of its own (settings
 * are read once per process, and a suite that fails leaves the others' figures), on embedded
 * PGlite and, when DATABASE_URL is set, again on PostgreSQL (keys + "_pg"). Writes
 * bench/results.json (one key per figure, and `meta`: date, Node, CPUs, commit, and each
 * figure's unit, meaning, target and notes) and prints the same as a table.
 *
 *   npm run bench                      every suite, full sizes → bench/results.json
 *   BENCH_QUICK=1 npm run bench        smaller sizes, labelled "quick" → bench/results.quick.json
 *   npm run bench -- sharing browser   only these suites → bench/results.partial.json
 *
 * A figure that could not be measured is recorded as null with the reason; none is invented.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { figureCatalogue, parseFigureLines, type FigureDefinition, type FigureKey, type FigureReport, type SuiteName } from "./figures";

const root = path.resolve(__dirname, "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

interface Suite {
  name: SuiteName;
  file: string;
  /** Runs once per database (PGlite, then PostgreSQL), or once only. */
  perDatabase: boolean;
  /** Upper bound of one run before it is stopped, full / quick, in minutes. */
  limitMinutes: [number, number];
}

const suites: Suite[] = [
  { name: "crypto", file: "crypto-bench.ts", perDatabase: false, limitMinutes: [5, 2] },
  { name: "records", file: "records-bench.ts", perDatabase: true, limitMinutes: [5, 2] },
  { name: "file-store", file: "store-bench.ts", perDatabase: true, limitMinutes: [15, 5] },
  { name: "sharing", file: "sharing-bench.ts", perDatabase: true, limitMinutes: [25, 5] },
  { name: "trail", file: "trail-bench.ts", perDatabase: true, limitMinutes: [10, 5] },
  { name: "browser", file: "browser-bench.ts", perDatabase: true, limitMinutes: [30, 12] },
];

type Database = "pglite" | "postgres";

interface RunOutcome {
  suite: SuiteName;
  database: Database | null;
  seconds: number;
  exitCode: number | null;
  figures: FigureReport[];
  /** The last lines of stderr when it failed. */
  failure?: string;
}

/** Runs one suite in a child process, echoing its output, and collects its figure lines. */
function runSuite(suite: Suite, database: Database | null, quick: boolean): Promise<RunOutcome> {
  const started = Date.now();
  const label = `${suite.name}${database ? ` (${database})` : ""}`;
  console.log(`\n━━ ${label} ━━`);
  const child = spawn(tsx, ["--conditions=react-server", path.join(__dirname, suite.file)], {
    cwd: root,
    env: { ...process.env, BENCH_DATABASE: database ?? "pglite", BENCH_QUICK: quick ? "1" : "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  const limitMs = suite.limitMinutes[quick ? 1 : 0] * 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
  }, limitMs);
  return new Promise((resolve) => {
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      const failed = exitCode !== 0;
      const tail = stderr.trim().split("\n").slice(-3).join(" / ").slice(0, 400);
      resolve({
        suite: suite.name,
        database,
        seconds: (Date.now() - started) / 1000,
        exitCode,
        figures: parseFigureLines(stdout),
        failure: timedOut ? `stopped after ${limitMs / 60_000} min` : failed ? `exit code ${exitCode}: ${tail || "no message"}` : undefined,
      });
    });
  });
}

function git(args: string[]): string {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "unknown";
}

function postgresVersion(): string | null {
  if (!process.env.DATABASE_URL) return null;
  const result = spawnSync("psql", [process.env.DATABASE_URL, "-tAc", "show server_version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "unknown";
}

/** The keys a run of `suite` on `database` should produce. */
function expectedKeys(suite: SuiteName, database: Database | null): string[] {
  return (Object.entries(figureCatalogue) as Array<[FigureKey, (typeof figureCatalogue)[FigureKey]]>)
    .filter(([, definition]) => definition.suite === suite)
    .map(([key, definition]) => (definition.perDatabase && database === "postgres" ? `${key}_pg` : key));
}

const definitionOf = (key: string): FigureDefinition => figureCatalogue[key.replace(/_pg$/, "") as FigureKey];

function formatValue(value: number | null): string {
  if (value === null) return "null";
  return value.toLocaleString("en", { maximumFractionDigits: 3 });
}

function printTable(figures: Record<string, number | null>, notes: Record<string, { note?: string; reason?: string }>, heading: string) {
  const rows = Object.entries(figures).map(([key, value]) => {
    const definition = definitionOf(key);
    const detail = notes[key]?.reason ? `not measured: ${notes[key]!.reason}` : (notes[key]?.note ?? "");
    return [key, formatValue(value), definition.unit, definition.target ?? "", detail];
  });
  const header = ["key", "value", "unit", "target", "note"];
  const widths = header.map((title, column) => Math.min(60, Math.max(title.length, ...rows.map((row) => row[column]!.length))));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 4 ? cell : cell.padEnd(widths[column]!))).join("  ");
  console.log(`\n${heading}`);
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(row));
}

async function main() {
  const requested = process.argv.slice(2).filter((argument) => !argument.startsWith("-"));
  const unknown = requested.filter((name) => !suites.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    console.error(`unknown suite(s): ${unknown.join(", ")}; the suites are ${suites.map((suite) => suite.name).join(", ")}`);
    process.exit(2);
  }
  const quick = process.env.BENCH_QUICK === "1" || process.argv.includes("--quick");
  const chosen = requested.length > 0 ? suites.filter((suite) => requested.includes(suite.name)) : suites;
  const databases: Database[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const mode = quick ? "quick" : "full";
  const outputFile = path.join(__dirname, requested.length > 0 ? "results.partial.json" : quick ? "results.quick.json" : "results.json");
  const started = new Date();
  // The code measured is the code at the start (the tree may change while a long run goes on).
  const gitCommit = git(["rev-parse", "HEAD"]);
  const gitDirty = git(["status", "--porcelain"]) !== "";
  console.log(
    `npm run bench: ${mode} mode${quick ? " (QUICK: smaller sizes, figures not comparable with a full run)" : ""}, suites ${chosen.map((suite) => suite.name).join(", ")}, on ${databases.join(" and ")}`,
  );

  const outcomes: RunOutcome[] = [];
  for (const suite of chosen) {
    for (const database of suite.perDatabase ? databases : [null]) outcomes.push(await runSuite(suite, database, quick));
  }

  const figures: Record<string, number | null> = {};
  const notes: Record<string, { note?: string; reason?: string }> = {};
  for (const outcome of outcomes) {
    const reported = new Map(outcome.figures.map((figure) => [figure.key, figure]));
    for (const key of expectedKeys(outcome.suite, outcome.database)) {
      const figure = reported.get(key);
      figures[key] = figure?.value ?? null;
      const reason = figure ? figure.reason : `suite "${outcome.suite}" did not report it (${outcome.failure ?? "no figure line"})`;
      notes[key] = { ...(figure?.note ? { note: figure.note } : {}), ...(figures[key] === null ? { reason: reason ?? "not measured" } : {}) };
    }
  }
  // Table order: the catalogue's, PGlite then PostgreSQL.
  const ordered: Record<string, number | null> = {};
  for (const key of Object.keys(figureCatalogue)) {
    for (const recorded of [key, `${key}_pg`]) if (recorded in figures) ordered[recorded] = figures[recorded]!;
  }

  const cpuList = cpus();
  const results = {
    ...ordered,
    meta: {
      date: started.toISOString(),
      mode,
      node: process.version,
      cpuCount: cpuList.length,
      cpuModel: cpuList[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      gitCommit,
      gitDirty,
      databases,
      postgresVersion: postgresVersion(),
      durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
      suites: outcomes.map((outcome) => ({
        suite: outcome.suite,
        database: outcome.database,
        seconds: Math.round(outcome.seconds),
        ...(outcome.failure ? { failure: outcome.failure } : {}),
      })),
      figures: Object.fromEntries(
        Object.keys(ordered).map((key) => {
          const { unit, what, target } = definitionOf(key);
          return [key, { unit, what, ...(target ? { target } : {}), ...notes[key] }];
        }),
      ),
    },
  };
  writeFileSync(outputFile, `${JSON.stringify(results, null, 2)}\n`);
  printTable(
    ordered,
    notes,
    `Results (${mode}${quick ? ", QUICK: smaller sizes" : ""}; ${started.toISOString()}; Node ${process.version}; ${cpuList.length} CPUs; commit ${results.meta.gitCommit.slice(0, 10)}${results.meta.gitDirty ? " + changes" : ""}; ${results.meta.durationSeconds} s) → ${path.relative(root, outputFile)}`,
  );
  if (outcomes.some((outcome) => outcome.failure)) {
    console.log(
      `\nfailed: ${outcomes
        .filter((outcome) => outcome.failure)
        .map((outcome) => `${outcome.suite}${outcome.database ? ` (${outcome.database})` : ""}: ${outcome.failure}`)
        .join("; ")}`,
    );
    // The results are still written (each missing figure says why), but a run with a failed suite is not a clean run.
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
