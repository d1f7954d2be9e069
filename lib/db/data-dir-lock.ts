import "server-only";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The file, inside DATA_DIR, naming the process that serves the embedded database there. */
export const lockFileName = "hsc-server.pid";

/** Another live process holds the embedded database's directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by another process (pid ${holderPid}). PGlite serves one process: ` +
        `run one server per DATA_DIR, or run several servers on PostgreSQL (set DATABASE_URL). If no server is running, delete ${path.join(dataDir, lockFileName)}.`,
    );
    this.name = "DataDirInUseError";
  }
}

/** Whether a process with this id exists (one of another user counts: it is alive, only not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claims `dataDir` (which must exist) for this process, so that a second server started on
 * the same embedded database (a second instance, a second `npm start`) refuses to start
 * instead of opening it beside the first: PGlite is one process's database, and two
 * writers corrupt it. A claim left by a process that is gone (killed, crashed) is taken
 * over. Returns the release, which deletes the claim if it is still this process's.
 * @throws DataDirInUseError when a live process other than this one holds it.
 */
export function claimDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, lockFileName);
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(file, "utf8").trim());
    } catch {
      // Released between our attempt and this read: try again.
      continue;
    }
    // A process started again in a fresh container may get the pid of the one that wrote the claim: that is a stale claim too.
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw new DataDirInUseError(dataDir, holder);
    rmSync(file, { force: true });
  }
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
}
