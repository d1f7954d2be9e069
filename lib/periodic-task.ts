import "server-only";
import { logUnexpected } from "@/lib/log";

const registry = Symbol.for("health-safe-cloud.periodic-tasks");
type GlobalWithTasks = typeof globalThis & { [registry]?: Map<string, NodeJS.Timeout> };

/**
 * Runs `task` once now and then every `intervalMs` milliseconds, never two runs at once, in
 * this process; started again under the same name it does nothing (instrumentation may run
 * more than once per process). A failed run is logged (as `operation: name`) and the next
 * one still comes. The timer never keeps the process alive.
 */
export function startPeriodicTask(name: string, intervalMs: number, task: () => Promise<void>): void {
  const holder = globalThis as GlobalWithTasks;
  const timers = (holder[registry] ??= new Map());
  if (timers.has(name)) return;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (error) {
      logUnexpected(error, { operation: name });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  timers.set(name, timer);
  void run();
}
