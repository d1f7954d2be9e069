import "server-only";
import { config, SettingsError } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { DataDirInUseError } from "@/lib/db/data-dir-lock";

/**
 * Parses every setting once, as the server starts (instrumentation.ts). A value that does
 * not parse ends the process (exit status 1) with SettingsError's message, which names the
 * variable and what it accepts: Next only logs an error thrown at start and then serves,
 * answering 500 to every request. Any other failure while reading the settings is a bug in
 * this module, and it stops the start too, named but not quoted (its message may hold a value).
 */
export function parseSettingsOrExit(): void {
  try {
    config();
  } catch (error) {
    // The logger is configured by these very settings, so the message goes to stderr directly.
    if (error instanceof SettingsError) console.error(`Health Safe Cloud cannot start: ${error.message}`);
    else console.error(`Health Safe Cloud cannot start: reading the settings failed (${error instanceof Error ? error.name : "unknown error"}).`);
    process.exit(1);
  }
}

/**
 * Opens the database (migrating it) as the server starts. A second server on the same
 * embedded database ends the process (exit status 1) with a message saying why and what to
 * do instead; any other failure propagates as before (Next logs it, and requests retry the
 * open).
 */
export async function openDatabaseOrExit(): Promise<void> {
  try {
    await getDatabase();
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(`Health Safe Cloud cannot start: ${error.message}`);
    process.exit(1);
  }
}
