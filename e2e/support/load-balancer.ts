import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import os from "node:os";
import path from "node:path";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Debian's package (`apt-get install haproxy`); HAPROXY_PATH overrides. */
export const haproxyPath = process.env.HAPROXY_PATH ?? "/usr/sbin/haproxy";

export interface Backend {
  /** The name HAProxy gives it: in its statistics and in the `x-served-by` header of each answer. */
  name: string;
  port: number;
}

export interface BackendStats {
  /** UP, DOWN, DRAIN, MAINT, or a transition such as "UP 1/2". */
  status: string;
  /** HTTP requests HAProxy has sent it. */
  requests: number;
}

/** Whether this machine has an IPv6 loopback (a browser may reach `localhost` over either family). */
function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((address) => address.family === "IPv6" && address.internal));
}

/**
 * HAProxy in front of several app servers, on loopback, as the README's deployment section
 * describes: round-robin per request, health checks on /api/health, X-Forwarded-For added
 * (the servers trust it through TRUST_PROXY). For the tests it also names the server that
 * answered each request in an `x-served-by` response header, and opens its runtime API on a
 * socket, through which a test drains a server (no new requests) or reads per-server counts.
 */
export class LoadBalancer {
  readonly url: string;
  private readonly directory = mkdtempSync(path.join(os.tmpdir(), "hsc-haproxy-"));
  private readonly socket = path.join(this.directory, "admin.sock");
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;
  output = "";

  constructor(
    private readonly port: number,
    private readonly backends: Backend[],
  ) {
    this.url = `http://localhost:${port}`;
  }

  /** The configuration file's text. */
  configuration(): string {
    const binds = [`  bind 127.0.0.1:${this.port}`, ...(hasIpv6Loopback() ? [`  bind [::1]:${this.port}`] : [])];
    return [
      "global",
      `  stats socket ${this.socket} mode 600 level admin`,
      "  maxconn 512",
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 120s",
      "  timeout server 120s",
      "  timeout http-keep-alive 10s",
      // A health check waits this long for an answer, not \`inter\` (HAProxy's default): a server busy for half a
      // second (two browsers, two servers and PostgreSQL on two cores) is slow, not dead, and taking both out at
      // once answered a person's chart with the balancer's own 503. A killed server refuses at once either way.
      "  timeout check 5s",
      // A server that refuses the connection (stopped, killed) costs a retry on another, not an error.
      "  retries 3",
      "  option redispatch",
      "  option forwardfor",
      "frontend web",
      ...binds,
      "  default_backend app",
      "  http-response set-header x-served-by %s",
      "backend app",
      "  balance roundrobin",
      "  option httpchk GET /api/health",
      "  http-check expect status 200",
      "  default-server inter 500ms fall 2 rise 2",
      ...this.backends.map((backend) => `  server ${backend.name} 127.0.0.1:${backend.port} check`),
      "",
    ].join("\n");
  }

  /** Starts HAProxy in the foreground and waits until it answers a health check through a server. */
  async start(): Promise<void> {
    const file = path.join(this.directory, "haproxy.cfg");
    writeFileSync(file, this.configuration());
    const child = spawn(haproxyPath, ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) stream!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    let down = false;
    this.exited = new Promise((resolve) => child.on("exit", () => resolve()));
    void this.exited.then(() => (down = true));
    for (;;) {
      if (down) throw new Error(`haproxy exited while starting:\n${this.output.slice(-2000)}`);
      const healthy = await fetch(`${this.url}/api/health`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return;
      await sleep(250);
    }
  }

  /** One command of HAProxy's runtime API; resolves its answer. */
  private command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let answer = "";
      const connection = createConnection(this.socket, () => connection.end(`${line}\n`));
      connection.on("data", (chunk: Buffer) => (answer += chunk.toString()));
      connection.on("end", () => resolve(answer));
      connection.on("error", reject);
    });
  }

  /** "drain": no new requests go to the server (its health is still checked); "ready": back in the rotation. */
  async setState(name: string, state: "ready" | "drain"): Promise<void> {
    const answer = await this.command(`set server app/${name} state ${state}`);
    if (answer.trim() !== "") throw new Error(`haproxy refused to set ${name} ${state}: ${answer}`);
  }

  /** Each server's state and request count, from HAProxy's own statistics. */
  async stats(): Promise<Record<string, BackendStats>> {
    const [header, ...rows] = (await this.command("show stat")).trim().split("\n");
    const columns = header!.replace(/^# /, "").split(",");
    const at = (row: string[], column: string) => row[columns.indexOf(column)] ?? "";
    const servers: Record<string, BackendStats> = {};
    for (const row of rows.map((line) => line.split(","))) {
      if (at(row, "pxname") !== "app" || !this.backends.some((backend) => backend.name === at(row, "svname"))) continue;
      servers[at(row, "svname")] = { status: at(row, "status"), requests: Number(at(row, "req_tot") || at(row, "stot")) };
    }
    return servers;
  }

  /** Waits until HAProxy's health checks have marked the server up again. */
  async waitUntilUp(name: string): Promise<void> {
    while ((await this.stats())[name]?.status !== "UP") await sleep(250);
  }

  async stop(): Promise<void> {
    if (this.child && this.exited) {
      this.child.kill("SIGTERM");
      await this.exited;
    }
    this.child = null;
    rmSync(this.directory, { recursive: true, force: true });
  }
}
