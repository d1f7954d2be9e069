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

/** The signed-in session of this request, or null. */
export async function currentSession(): Promise<ActiveSession | null> {
  const token = await sessionToken();
  if (!token) return null;
  const { db } = await getDatabase();
  return resolveSession(db, token, sessionPolicy());
}

/** The signed-in session, or a 401 for the route to return. */
export async function requireSession(): Promise<ActiveSession> {
  const session = await currentSession();
  if (!session) throw new AppError("unauthenticated", "Please sign in again.");
  return session;
}
