import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The app's production build started as `npm start` starts it (scripts/start.mjs, which
 * runs scripts/server.mjs), on its own port and empty embedded database, with the settings
 * a test chooses: for what only a whole server shows (where a client's address comes from,
 * what a bad setting does to the start).
 */
export class AppServer {
  readonly url: string;
  readonly origin: string;
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> | null = null;
  output = "";

  constructor(
    private readonly port: number,
    private readonly dataDir: string,
  ) {
    this.url = `http://localhost:${port}`;
    this.origin = this.url;
    if (!path.resolve(dataDir).startsWith(root + path.sep)) throw new Error("the data directory must be inside the project");
  }

  /** Starts it; resolves "ready" once it answers its health check, or "exited" with the exit code if it stops first. */
  async start(settings: Record<string, string>): Promise<{ state: "ready" } | { state: "exited"; code: number | null }> {
    rmSync(this.dataDir, { recursive: true, force: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      DATA_DIR: this.dataDir,
      DATABASE_URL: "",
      APP_ORIGIN: this.url,
      WEBAUTHN_RP_ID: "localhost",
      ...settings,
    };
    const child = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.output = "";
    for (const stream of [child.stdout, child.stderr]) stream!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    let code: number | null | undefined;
    this.exit = new Promise((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    void this.exit.then((exitCode) => (code = exitCode));
    for (;;) {
      if (code !== undefined) {
        this.child = null;
        return { state: "exited", code };
      }
      const healthy = await fetch(`${this.url}/api/health`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return { state: "ready" };
      await sleep(250);
    }
  }

  /** Stops it as an operator would (SIGTERM), waits for it, and deletes its data. */
  async stop(): Promise<void> {
    if (this.child && this.exit) {
      this.child.kill("SIGTERM");
      await this.exit;
    }
    this.child = null;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
