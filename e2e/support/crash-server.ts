import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";

const root = path.resolve(__dirname, "..", "..");
/** What `npm start` serves with (it hands the socket's peer address to the app). */
const serverScript = path.join(root, "scripts", "server.mjs");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Raw SQL against the server's database while the server is down. */
export interface DatabaseView {
  query<Row>(text: string, params?: unknown[]): Promise<Row[]>;
}

export interface CrashServerOptions {
  port: number;
  /** Inside the project, wiped at the first start. */
  dataDir: string;
  /** A fresh PostgreSQL database for this run instead of PGlite in dataDir. */
  databaseUrl?: string;
  /** The origin browsers use (a load balancer in front); the server's own URL by default. */
  appOrigin?: string;
  /** More settings (environment variables) for the server. */
  settings?: Record<string, string>;
}

/**
 * A server of the app's production build that the test can kill at a named crash point
 * (lib/crash-points.ts) and start again on the same data, and whose database the test
 * reads directly while it is down: what a crash left is seen as it is on disk, before the
 * server or any browser touches it again.
 */
export class CrashServer {
  readonly url: string;
  private readonly crashFile: string;
  private readonly logFile: string;
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  private output = "";
  private started = false;

  constructor(private readonly options: CrashServerOptions) {
    this.url = `http://localhost:${options.port}`;
    this.crashFile = `${options.dataDir}.crash-at`;
    this.logFile = `${options.dataDir}.log`;
  }

  /** Starts the server and waits until it answers with its database migrated. */
  async start(): Promise<void> {
    if (this.child) throw new Error("the server is already running");
    if (!this.started) {
      if (!path.resolve(this.options.dataDir).startsWith(root + path.sep)) throw new Error("the data directory must be inside the project");
      rmSync(this.options.dataDir, { recursive: true, force: true });
      writeFileSync(this.logFile, "");
      this.started = true;
    }
    writeFileSync(this.crashFile, "");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(this.options.port),
      DATA_DIR: this.options.dataDir,
      DATABASE_URL: this.options.databaseUrl ?? "",
      APP_ORIGIN: this.options.appOrigin ?? this.url,
      WEBAUTHN_RP_ID: "localhost",
      AUTH_RATE_LIMIT_PER_ADDRESS: "100000",
      SIGN_UP_LIMIT_PER_ADDRESS: "100000",
      HSC_FAULT_INJECTION: "1",
      HSC_CRASH_FILE: this.crashFile,
      // Long, so that work under way across a restart is never swept; a test that wants a file swept dates it back.
      BLOB_GRACE_MINUTES: "30",
      BLOB_SWEEP_INTERVAL_MINUTES: "0.05",
      ...this.options.settings,
    };
    const child = spawn(process.execPath, [serverScript], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.output = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream!.on("data", (chunk: Buffer) => {
        this.output += chunk.toString();
        appendFileSync(this.logFile, chunk);
      });
    }
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    let down = false;
    void this.exited.then(() => (down = true));
    for (;;) {
      if (down) throw new Error(`the server exited while starting:\n${this.output.slice(-2000)}`);
      const healthy = await fetch(`${this.url}/api/health`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return;
      await sleep(250);
    }
  }

  /** Arms one crash point (optionally "point@n", the n-th time it is reached) in the running server. */
  arm(point: string): void {
    writeFileSync(this.crashFile, point);
  }

  /** Waits for the server to kill itself at the armed point, and disarms it. */
  async crashed(point: string): Promise<void> {
    if (!this.exited) throw new Error("the server is not running");
    const { signal } = await this.exited;
    this.child = null;
    this.exited = null;
    writeFileSync(this.crashFile, "");
    if (signal !== "SIGKILL" || !this.output.includes(`"crashPoint":"${point.split("@")[0]}"`)) {
      throw new Error(`the server stopped (${signal}) without reaching ${point}:\n${this.output.slice(-2000)}`);
    }
  }

  /** Stops the server as an operator would (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    if (!this.child || !this.exited) return;
    this.child.kill("SIGTERM");
    await this.exited;
    this.child = null;
    this.exited = null;
  }

  /** Opens the server's database while the server is down, runs `look`, and closes it again. */
  async inspect<T>(look: (db: DatabaseView) => Promise<T>): Promise<T> {
    if (this.child) throw new Error("stop the server first: its database allows one process at a time");
    if (this.options.databaseUrl) {
      const sql = postgres(this.options.databaseUrl, { max: 1, onnotice: () => undefined });
      try {
        return await look({ query: async <Row>(text: string, params: unknown[] = []) => (await sql.unsafe(text, params as never[])) as unknown as Row[] });
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
    const db = await PGlite.create(this.options.dataDir);
    try {
      return await look({ query: async <Row>(text: string, params: unknown[] = []) => (await db.query<Row>(text, params)).rows });
    } finally {
      await db.close();
    }
  }
}

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty PostgreSQL database for one run, made and dropped through the server DATABASE_URL
 * names; `prefix` says whose it is when one is left behind (e2e runs, benchmarks).
 */
export async function freshDatabase(adminUrl: string, prefix = "hsc_crash"): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
