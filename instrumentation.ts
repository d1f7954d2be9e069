/** Runs once when a server process starts: connect to the database, apply migrations, start upkeep. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Every setting is parsed here, once: a bad one stops the start with a message naming it.
  const { parseSettingsOrExit, openDatabaseOrExit } = await import("@/lib/start-up-settings");
  parseSettingsOrExit();
  // One server per embedded database: a second one on the same DATA_DIR stops here, saying so.
  await openDatabaseOrExit();
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
  const { startLinkSweeper } = await import("@/lib/links/link-sweeper");
  startLinkSweeper();
  const { startImportSweeper } = await import("@/lib/records/import-sweeper");
  startImportSweeper();
  const { startAuthUpkeep } = await import("@/lib/auth/upkeep");
  startAuthUpkeep();
  const { startDepartedTrailUpkeep } = await import("@/lib/accounts/account-deletion");
  startDepartedTrailUpkeep();
  const { startAuditFolder } = await import("@/lib/audit/audit-folder");
  startAuditFolder();
  const { startNoticeMailer } = await import("@/lib/notices/notice-mailer");
  startNoticeMailer();
  const { startTableUpkeep } = await import("@/lib/db/table-upkeep");
  startTableUpkeep();
}
