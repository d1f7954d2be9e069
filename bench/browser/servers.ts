/**
 * The servers the browser suite measures: the app's production build started as `npm start`
 * starts it (scripts/start.mjs, which builds first when the build is missing or stale), on an
 * empty embedded database or a fresh PostgreSQL database; and bench/bare-app under
 * `next start`. Each is stopped with SIGTERM and its data deleted.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { freshDatabase } from "../../e2e/support/crash-server";
import { processTreeCpuMs } from "./process-cpu";

const root = path.resolve(__dirname, "..", "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const bareApp = path.join(root, "bench", "bare-app");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RunningServer {
  url: string;
  /** CPU ms its processes have used so far (bench/browser/process-cpu.ts); null once stopped or off Linux. */
  cpuMs(): number | null;
  /** Stops it (SIGTERM), waits for it, deletes its data. */
  stop(): Promise<void>;
  /** What it has written to stdout and stderr so far (its last `chars` characters), for a failure's report. */
  log?(chars?: number): string;
}

/**
 * Refuses a port something already answers on: a server left over from an interrupted run would
 * answer for the one about to start (which then fails to bind and exits), and the suite would
 * measure the old one, on whatever database it had, with no CPU of its own to count.
 * @throws Error naming the port
 */
async function ensurePortFree(url: string): Promise<void> {
  const answered = await fetch(url)
    .then(() => true)
    .catch(() => false);
  if (answered) throw new Error(`${url} already answers: stop whatever serves it (a server left from an interrupted bench run?) and run again`);
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server at ${url} exited (${child.exitCode}) before answering:\n${output().slice(-2000)}`);
    const answered = await fetch(url)
      .then((response) => response.ok)
      .catch(() => false);
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`the server at ${url} did not answer within ${limitMs / 1000} s`);
    await sleep(250);
  }
}

/** Stopping twice is stopping once. */
function stopper(child: ChildProcess, cleanUp: () => Promise<void>): () => Promise<void> {
  let stopped: Promise<void> | null = null;
  return () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await cleanUp();
    })());
}

/** A fresh PostgreSQL database beside DATABASE_URL's, dropped after the run. */
function freshBenchDatabase() {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is not set");
  return freshDatabase(adminUrl, "hsc_bench");
}

/**
 * Starts the app on `port` (localhost: WebAuthn refuses IP origins) with an empty database of
 * the given kind. The per-address limits are raised: every sign-in comes from this machine.
 * With `cpuProfileDir` each of the app's processes writes a CPU profile there when it stops
 * (bench/browser/cpu-profile.mjs, preloaded: Node 20 refuses --cpu-prof in NODE_OPTIONS).
 */
export async function startApp(port: number, database: "pglite" | "postgres", options: { cpuProfileDir?: string } = {}): Promise<RunningServer> {
  const url = `http://localhost:${port}`;
  await ensurePortFree(url);
  const dataDir = path.join(root, "bench", ".data", `app-${port}`);
  rmSync(dataDir, { recursive: true, force: true });
  const postgresDatabase = database === "postgres" ? await freshBenchDatabase() : null;
  let output = "";
  const child = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: postgresDatabase?.url ?? "",
      APP_ORIGIN: url,
      WEBAUTHN_RP_ID: "localhost",
      AUTH_RATE_LIMIT_PER_ADDRESS: "100000",
      AUTH_RATE_LIMIT_PER_ACCOUNT: "100000",
      SIGN_UP_LIMIT_PER_ADDRESS: "100000",
      LOG_LEVEL: "warn",
      // A profile of the server under load (bench/browser-bench.ts's header).
      ...(options.cpuProfileDir ? { NODE_OPTIONS: `--import ${path.join(__dirname, "cpu-profile.mjs")}`, BENCH_APP_CPU_PROF: options.cpuProfileDir } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = stopper(child, async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await postgresDatabase?.drop();
  });
  try {
    // The first start builds the app (minutes on a busy 2-core machine).
    await waitUntilAnswering(`${url}/api/health`, child, () => output, 20 * 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, cpuMs: () => processTreeCpuMs(child.pid!), log: (chars = 4000) => output.slice(-chars) };
}

function newestMtime(target: string): number {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(target).map((entry) => newestMtime(path.join(target, entry))));
}

/**
 * Builds bench/bare-app when its build is missing or older than its sources. With webpack:
 * Turbopack takes the repository as its root (for node_modules) and then picks up the app's
 * own instrumentation.ts.
 */
function buildBareApp(): void {
  const buildId = path.join(bareApp, ".next", "BUILD_ID");
  const sources = [path.join(bareApp, "app"), path.join(bareApp, "next.config.ts")];
  if (existsSync(buildId) && Math.max(...sources.map(newestMtime)) <= statSync(buildId).mtimeMs) return;
  console.log("building bench/bare-app …");
  const build = spawnSync(process.execPath, [nextBin, "build", "--webpack"], { cwd: bareApp, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`bench/bare-app did not build:\n${(build.stdout + build.stderr).slice(-2000)}`);
}

/** Builds (if needed) and starts bench/bare-app under `next start` on `port`. */
export async function startBareApp(port: number): Promise<RunningServer> {
  buildBareApp();
  const url = `http://localhost:${port}`;
  await ensurePortFree(url);
  let output = "";
  const child = spawn(process.execPath, [nextBin, "start", "--port", String(port)], {
    cwd: bareApp,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = stopper(child, async () => undefined);
  try {
    await waitUntilAnswering(`${url}/api/small`, child, () => output, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, cpuMs: () => processTreeCpuMs(child.pid!) };
}
