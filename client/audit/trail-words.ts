import type { AuditAction } from "@/contract/me";
import { countOf } from "../format";

/**
 * Who did what in a person's trail, and what the "new since your last visit" badge counts:
 * pure functions of the events, so the history page and its tests agree.
 */

/** The name the trail gives events nobody signed in did: the app's own (a share that ended on its date). */
export const appName = "Health Safe Cloud";

/**
 * The name for attempts by someone nobody knows: a sign-in with one of the person's passkeys
 * whose signature did not verify has no account behind it, and is not the app's doing.
 */
export const someoneUnknown = "Someone unknown";

/** Actions without an actor that someone outside did (never the app): credited to `someoneUnknown`. */
const unknownActorActions = new Set<AuditAction>(["sign-in-failed"]);

/**
 * Actions of whoever holds one of the person's SMART Health Links: no account is behind them,
 * only the recipient name the opener typed, chained with the event.
 */
export const linkOpenerActions: ReadonlySet<AuditAction> = new Set<AuditAction>(["link-opened", "link-passcode-refused"]);

/** The name for someone who used one of the person's links, before (or without) the name they gave. */
export const someoneWithALink = "Someone with your link";

/** Who used a link, in the "Who" column: the name they typed, marked as theirs ("Dr Who (name given when opening a link)"). */
export const linkOpenerName = (recipient: string): string => `${recipient} (name given when opening a link)`;

/** Accesses by someone else that the badge counts as accesses when they succeeded. */
const accessActions = new Set<AuditAction>(["records-received", "record-fetched", "file-fetched", "record-created"]);

interface TrailEvent {
  seq: number;
  actorId: string | null;
  action: AuditAction;
  outcome: string;
  count?: number | null;
}

/**
 * Who an event is credited to: "You", the other account's name (from the page's `actors`,
 * "Another account" if missing), `someoneUnknown` for attempts with no account behind them,
 * or the app itself for what it did on its own.
 */
export function actorNameOf(event: Pick<TrailEvent, "actorId" | "action">, userId: string, actors: Readonly<Record<string, string>>): string {
  if (event.actorId === null) return unknownActorActions.has(event.action) ? someoneUnknown : linkOpenerActions.has(event.action) ? someoneWithALink : appName;
  return event.actorId === userId ? "You" : (actors[event.actorId] ?? "Another account");
}

/** Whether "What others did" shows the event: anything by another account, by someone unknown or by someone with a link, not the person's own nor the app's. */
export const byOthers = (event: Pick<TrailEvent, "actorId" | "action">, userId: string): boolean =>
  event.actorId === null ? unknownActorActions.has(event.action) || linkOpenerActions.has(event.action) : event.actorId !== userId;

/** What a new event by others is, for the badge: an access, a refused attempt, a failed sign-in, or none of these (null). */
export function activityKind(event: TrailEvent, userId: string): "access" | "refused" | "failed-sign-in" | null {
  if (!byOthers(event, userId)) return null;
  if (event.action === "sign-in-failed") return "failed-sign-in";
  if (event.action === "access-refused" || event.action === "link-passcode-refused") return "refused";
  if (event.action === "link-opened") return event.outcome === "success" ? "access" : "refused";
  if (!accessActions.has(event.action)) return null;
  return event.outcome === "success" ? "access" : "refused";
}

export interface NewActivity {
  /** Events by others that reached something (a list received, a file downloaded, a note added). */
  accesses: number;
  /** Attempts that were refused, each attempt of a counted event counted. */
  refused: number;
  /** Failed sign-ins with the person's passkeys, each attempt counted. */
  failedSignIns: number;
}

/** Counts the events after `seenSeq` by kind (`activityKind`); a counted event adds its count of attempts. */
export function newActivity(events: readonly TrailEvent[], seenSeq: number, userId: string): NewActivity {
  const tally: NewActivity = { accesses: 0, refused: 0, failedSignIns: 0 };
  for (const event of events) {
    if (event.seq <= seenSeq) continue;
    const kind = activityKind(event, userId);
    const attempts = Math.max(1, event.count ?? 1);
    if (kind === "access") tally.accesses += 1;
    else if (kind === "refused") tally.refused += attempts;
    else if (kind === "failed-sign-in") tally.failedSignIns += attempts;
  }
  return tally;
}

/**
 * The badge's words: "3 new accesses · 2 refused attempts · 56 failed sign-ins", only the
 * kinds there are, so refusals are never called accesses; "" when there is nothing new.
 */
export function newActivityWords(activity: NewActivity): string {
  return [
    activity.accesses ? countOf(activity.accesses, "new access", "new accesses") : "",
    activity.refused ? countOf(activity.refused, "refused attempt") : "",
    activity.failedSignIns ? countOf(activity.failedSignIns, "failed sign-in") : "",
  ]
    .filter(Boolean)
    .join(" · ");
}
