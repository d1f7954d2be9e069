import "server-only";
import { config, SettingsError } from "@/lib/config";

/**
 * Parses every setting once, as the server starts (instrumentation.ts). A value that does
 * not parse ends the process (exit status 1) with SettingsError's message, which names the
 * variable and what it accepts: Next only logs an error thrown at start and then serves,
 * answering 500 to every request. Any other error is thrown on.
 */
export function parseSettingsOrExit(): void {
  try {
    config();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    // The logger is configured by these very settings, so the message goes to stderr directly.
    console.error(`Health Safe Cloud cannot start: ${error.message}`);
    process.exit(1);
  }
}
