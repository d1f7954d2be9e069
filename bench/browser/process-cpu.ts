/**
 * CPU time of a process and every process below it, from Linux's /proc (user + system, as the
 * kernel counts it in clock ticks of 10 ms): what a server spent, whatever else the machine ran
 * meanwhile. Elsewhere than Linux, or once the process is gone, null.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ, which /proc/<pid>/stat counts in on every architecture Node runs on. */
const ticksPerSecond = 100;

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** utime + stime of `pid` itself (fields 14 and 15 of /proc/<pid>/stat, after the parenthesised name), in ms. */
export function ownCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * The processes whose parent is `pid`, from every process's stat (field 4, the parent's pid):
 * /proc/<pid>/task/<pid>/children lists only the children its main thread forked, and missed
 * the app's server (`npm start` → scripts/server.mjs) in a full run, which then measured nothing.
 */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat !== null && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/** CPU ms of `pid` and its descendants alive now; null when `pid` is not running (or not on Linux). */
export function processTreeCpuMs(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  return childrenOf(pid).reduce((total, child) => total + (processTreeCpuMs(child) ?? 0), ownCpuMs(stat));
}
