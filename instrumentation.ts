/** Runs once when a server process starts: connect to the database and apply migrations. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getDatabase } = await import("@/lib/db");
  await getDatabase();
  // An operator who set a token too short to use should hear so at start, not at the first admin sign-up.
  const { warnIfAdminEnrolmentDisabled } = await import("@/lib/accounts/admin-enrolment");
  warnIfAdminEnrolmentDisabled();
}
