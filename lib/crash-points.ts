import "server-only";
import { readFileSync, writeSync } from "node:fs";

/**
 * Named places in the services where the crash-consistency tests kill the server: a real
 * crash (SIGKILL: no cleanup, no graceful database close), to prove that what a request
 * changes is stored all or nothing and that retrying completes it. "before-commit" points
 * sit inside the transaction after its last write; "after-commit" points after the commit,
 * before the response leaves.
 */
export const crashPoints = [
  /** A file chunk was stored; its response has not left. */
  "blobs.chunk-stored",
  /** A file upload was marked complete; its response has not left. */
  "blobs.upload-completed",
  "records.create.before-commit",
  "records.create.after-commit",
  /** Inside a rotation batch's transaction, after the versions are rewritten and before the new wraps are stored. */
  "records.rotate.mid-batch",
  "records.rotate.before-commit",
  "records.rotate.after-commit",
  "grants.create.before-commit",
  "grants.create.after-commit",
  "grants.revoke.before-commit",
  "grants.revoke.after-commit",
  "grants.revoke-record.before-commit",
  "grants.revoke-record.after-commit",
  "grants.renew.before-commit",
  "grants.renew.after-commit",
] as const;

export type CrashPoint = (typeof crashPoints)[number];

export interface ArmedCrash {
  point: CrashPoint;
  /** The crash happens the n-th time the point is reached after arming (1 = the first time). */
  hit: number;
}

/**
 * Whether this process may be armed at all. Production never arms a crash point: a
 * production build (NODE_ENV=production, which `next start` always is) needs the explicit
 * opt-in HSC_FAULT_INJECTION=1 besides HSC_CRASH_FILE, so a stray variable alone can never
 * kill a real server.
 */
export function faultInjectionAllowed(env: Record<string, string | undefined>): boolean {
  return Boolean(env.HSC_CRASH_FILE) && (env.NODE_ENV !== "production" || env.HSC_FAULT_INJECTION === "1");
}

/**
 * What arms a crash point: the name of one point, optionally with "@n" to crash the n-th
 * time it is reached; empty arms nothing. A name that is not a crash point is refused, so
 * a test cannot arm a typo and pass unarmed.
 */
export function parseCrashSetting(setting: string): ArmedCrash | null {
  const trimmed = setting.trim();
  if (!trimmed) return null;
  const match = /^([a-z.-]+)(?:@([1-9]\d{0,5}))?$/.exec(trimmed);
  const point = crashPoints.find((candidate) => candidate === match?.[1]);
  if (!match || !point) throw new Error(`no such crash point; known points: ${crashPoints.join(", ")}`);
  return { point, hit: match[2] ? Number(match[2]) : 1 };
}

const globalKey = Symbol.for("health-safe-cloud.crash-points");
type CrashState = { setting: string; armed: ArmedCrash | null; hits: number };
type GlobalWithCrashState = typeof globalThis & { [globalKey]?: CrashState };

/**
 * The armed point, read from the file HSC_CRASH_FILE names each time a point is reached,
 * so that a test arms the next crash without restarting the server (a start costs far
 * more than the read). Arming anew starts the hit count again.
 */
function crashState(): CrashState | null {
  if (!faultInjectionAllowed(process.env)) return null;
  let setting = "";
  try {
    setting = readFileSync(process.env.HSC_CRASH_FILE!, "utf8");
  } catch {
    // No file: nothing armed.
  }
  // Kept on globalThis because Next may load this module more than once.
  const holder = globalThis as GlobalWithCrashState;
  const state = (holder[globalKey] ??= { setting: "", armed: null, hits: 0 });
  if (setting !== state.setting) Object.assign(state, { setting, armed: parseCrashSetting(setting), hits: 0 });
  return state;
}

/** Does nothing unless this point is armed; then, on the chosen hit, kills the process outright. */
export function crashPoint(point: CrashPoint): void {
  const state = crashState();
  if (!state?.armed || state.armed.point !== point) return;
  state.hits += 1;
  if (state.hits < state.armed.hit) return;
  // Written synchronously: a buffered logger would lose the line to the kill.
  writeSync(
    2,
    `${JSON.stringify({ level: 50, time: new Date().toISOString(), service: "health-safe-cloud", crashPoint: point, msg: "crash point reached: killing the process" })}\n`,
  );
  process.kill(process.pid, "SIGKILL");
}
