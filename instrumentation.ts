/** Runs once when a server process starts: connect to the database, apply migrations, start upkeep. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Every setting is parsed here, once. A bad one stops the process with a message naming it:
  // Next only logs an error thrown here and then serves, answering 500 to every request.
  const { config, SettingsError } = await import("@/lib/config");
  try {
    config();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(`Health Safe Cloud cannot start: ${error.message}`);
    process.exit(1);
  }
  const { getDatabase } = await import("@/lib/db");
  await getDatabase();
  // An operator who set a token too short to use should hear so at start, not at the first admin sign-up.
  const { warnIfAdminEnrolmentDisabled } = await import("@/lib/accounts/admin-enrolment");
  warnIfAdminEnrolmentDisabled();
  const { faultInjectionAllowed } = await import("@/lib/crash-points");
  if (faultInjectionAllowed(process.env)) {
    const { logger } = await import("@/lib/log");
    logger().warn("fault injection is on: a test may make this process kill itself (HSC_CRASH_FILE)");
  }
  const { startBlobSweeper } = await import("@/lib/blobs/blob-sweeper");
  startBlobSweeper();
  const { startAuthUpkeep } = await import("@/lib/auth/upkeep");
  startAuthUpkeep();
}
