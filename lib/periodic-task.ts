import "server-only";
import { logUnexpected } from "@/lib/log";

const registry = Symbol.for("health-safe-cloud.periodic-tasks");
const statusRegistry = Symbol.for("health-safe-cloud.periodic-task-status");
const wakeRegistry = Symbol.for("health-safe-cloud.periodic-task-wake");

/** How one periodic task of this process last ran: for the administration console's health view. */
export interface PeriodicTaskStatus {
  name: string;
  intervalMs: number;
  startedAt: Date;
  lastFinishedAt: Date | null;
  lastOutcome: "ok" | "failed" | null;
}

type GlobalWithTasks = typeof globalThis & {
  [registry]?: Map<string, NodeJS.Timeout>;
  [statusRegistry]?: Map<string, PeriodicTaskStatus>;
  [wakeRegistry]?: Map<string, (delayMs: number) => void>;
};

/** The periodic tasks this process runs, with how each last ran (a copy). */
export function periodicTaskStatuses(): PeriodicTaskStatus[] {
  const statuses = (globalThis as GlobalWithTasks)[statusRegistry];
  return statuses ? [...statuses.values()].map((status) => ({ ...status })) : [];
}

/**
 * Runs `task` once now and then every `intervalMs` milliseconds, never two runs at once, in
 * this process; started again under the same name it does nothing (instrumentation may run
 * more than once per process). A failed run is logged (as `operation: name`) and the next
 * one still comes. The timer never keeps the process alive.
 *
 * "In this process" only: every server instance runs its own timers, so with several
 * instances on one database each task runs on all of them, at the same moments after a
 * joint start. A task must therefore be correct run concurrently with itself on another
 * instance: take its rows with `FOR UPDATE SKIP LOCKED` (so each item is handled by one
 * instance, and one a request holds is skipped) or delete only rows nobody can use any more.
 * lib/db/many-instances.db.test.ts runs the sweeps so, from several connection pools at once.
 */
export function startPeriodicTask(name: string, intervalMs: number, task: () => Promise<void>): void {
  const holder = globalThis as GlobalWithTasks;
  const timers = (holder[registry] ??= new Map());
  if (timers.has(name)) return;
  const statuses = (holder[statusRegistry] ??= new Map());
  const status: PeriodicTaskStatus = { name, intervalMs, startedAt: new Date(), lastFinishedAt: null, lastOutcome: null };
  statuses.set(name, status);
  let running = false;
  /** An early run asked for while one was under way: it follows that one. */
  let again = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await task();
      status.lastOutcome = "ok";
    } catch (error) {
      status.lastOutcome = "failed";
      logUnexpected(error, { operation: name });
    } finally {
      status.lastFinishedAt = new Date();
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  timers.set(name, timer);
  let early: NodeJS.Timeout | null = null;
  (holder[wakeRegistry] ??= new Map()).set(name, (delayMs: number) => {
    if (early) return;
    early = setTimeout(() => {
      early = null;
      if (running) again = true;
      else void run();
    }, delayMs);
    early.unref();
  });
  void run();
}

/**
 * Runs the periodic task `name` once `delayMs` milliseconds from now, besides its interval
 * (work that should not wait for the next tick). Asks made while one is pending join it; when
 * the moment comes during a run, one more run follows that one (the run under way may have
 * read its work before what prompted the ask). Does nothing for a task this process has not
 * started.
 */
export function runPeriodicTaskSoon(name: string, delayMs: number): void {
  (globalThis as GlobalWithTasks)[wakeRegistry]?.get(name)?.(delayMs);
}
