import "server-only";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { sessionToken } from "./cookies";
import { resolveSession, type ActiveSession } from "./session-store";

export function sessionPolicy() {
  const { sessionIdleMs, sessionMaxMs } = config();
  return { idleMs: sessionIdleMs, maxMs: sessionMaxMs };
}

/**
 * The signed-in session of this request, or null. With `touch` false the request does not
 * count as activity: a live stream a tab keeps open (lib/notices/notice-stream.ts) must not
 * keep an idle session alive forever.
 */
export async function currentSession({ touch = true }: { touch?: boolean } = {}): Promise<ActiveSession | null> {
  const token = await sessionToken();
  if (!token) return null;
  const { db } = await getDatabase();
  return resolveSession(db, token, sessionPolicy(), new Date(), { touch });
}

/** The signed-in session, or a 401 for the route to return. */
export async function requireSession(options: { touch?: boolean } = {}): Promise<ActiveSession> {
  const session = await currentSession(options);
  if (!session) throw new AppError("unauthenticated", "Please sign in again.");
  return session;
}
