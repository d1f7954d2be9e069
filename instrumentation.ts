/** Runs once when a server process starts: connect to the database and apply migrations. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getDatabase } = await import("@/lib/db");
  await getDatabase();
}
