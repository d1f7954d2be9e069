import "server-only";
import { eq, sql } from "drizzle-orm";
import { noticePreferences } from "@/drizzle/schema";
import type { NoticeSettings } from "@/contract/notices";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { requireSession, sessionPolicy } from "@/lib/sessions/current-session";
import { sessionToken } from "@/lib/sessions/cookies";
import { resolveSession } from "@/lib/sessions/session-store";
import { markNoticesRead, noticesOfRecipient } from "./notice-store";
import { noticeEventStream } from "./notice-stream";

/** The signed-in person's newest notices and unread count. Throws AppError "unauthenticated". */
export async function listMyNotices() {
  const session = await requireSession();
  const { db } = await getDatabase();
  return noticesOfRecipient(db, session.userId);
}

/** Marks the signed-in person's listed notices (or all) read; answers how many stay unread. Throws AppError "unauthenticated". */
export async function markMyNoticesRead(which: { ids: string[] } | { all: true }) {
  const session = await requireSession();
  const { db } = await getDatabase();
  return { unread: await markNoticesRead(db, session.userId, which) };
}

/**
 * The signed-in person's live notice stream (lib/notices/notice-stream.ts) as a response, open
 * for `seconds` (60 unless given). Neither opening it nor keeping it open counts as activity:
 * a tab left open does not keep an idle session alive, and the stream ends with the session.
 * Throws AppError "unauthenticated".
 */
export async function myNoticeStream(request: Request, seconds = 60): Promise<Response> {
  const session = await requireSession({ touch: false });
  // Read now: the request's cookies are not in reach once the handler has returned the stream.
  const token = (await sessionToken())!;
  const { db } = await getDatabase();
  const policy = sessionPolicy();
  const body = noticeEventStream({
    db,
    recipientId: session.userId,
    lifetimeMs: seconds * 1000,
    signal: request.signal,
    stillSignedIn: async () => (await resolveSession(db, token, policy, new Date(), { touch: false }))?.sessionId === session.sessionId,
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: no compression layer holds events back to fill a block (Next's docs, "Streaming").
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
    },
  });
}

/** The signed-in person's email choices: no address and no kinds until they give them. Throws AppError "unauthenticated". */
export async function myNoticeSettings(): Promise<NoticeSettings & { emailAvailable: boolean }> {
  const session = await requireSession();
  const { db } = await getDatabase();
  const [row] = await db.select().from(noticePreferences).where(eq(noticePreferences.userId, session.userId));
  return { email: row?.email ?? null, emailKinds: (row?.emailKinds ?? []) as NoticeSettings["emailKinds"], emailAvailable: config().smtp !== undefined };
}

/** Replaces the signed-in person's email choices; answers them as stored. Throws AppError "unauthenticated". */
export async function updateMyNoticeSettings(settings: NoticeSettings) {
  const session = await requireSession();
  const { db } = await getDatabase();
  const emailKinds = [...new Set(settings.emailKinds)].sort();
  await db
    .insert(noticePreferences)
    .values({ userId: session.userId, email: settings.email, emailKinds })
    .onConflictDoUpdate({ target: noticePreferences.userId, set: { email: settings.email, emailKinds, updatedAt: sql`now()` } });
  return myNoticeSettings();
}
