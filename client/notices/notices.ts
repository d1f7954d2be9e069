import { noticeKinds, type Notice, type NoticeSettings } from "@/contract/notices";
import { pathOf } from "@/contract/route";
import { routes } from "@/contract/routes";
import { certifiedKeys } from "../sharing/contacts";
import type { RevealedShare } from "../sharing/sharing";
import { httpTransport, type Transport } from "../transport/api";

export type { Notice, NoticeSettings };

/** The person's newest notices and how many are unread. @throws ApiError, IntegrityError("shape"). */
export const listNotices = (transport: Transport = httpTransport) => transport.call(routes.notices.list, {});

/** Marks these notices (or all) read; returns how many stay unread. @throws ApiError. */
export async function markNoticesRead(which: { ids: string[] } | { all: true }, transport: Transport = httpTransport): Promise<number> {
  return (await transport.call(routes.notices.markRead, { body: which })).unread;
}

/** The person's email choices and whether this deployment sends email. @throws ApiError. */
export const noticeSettings = (transport: Transport = httpTransport) => transport.call(routes.notices.settings, {});

/** Replaces the person's email choices. @throws ApiError (400 `invalid-input` naming `email` for an address that is not one). */
export const saveNoticeSettings = (settings: NoticeSettings, transport: Transport = httpTransport) =>
  transport.call(routes.notices.updateSettings, { body: settings });

/** One stream per page, shared by everyone on it who listens (the navigation's badge, the notice centre). */
const listeners = new Set<(unread: number) => void>();
let source: EventSource | null = null;
let lastUnread: number | null = null;

/**
 * Listens to the server's live notice stream (server-sent events) and calls `onUnread` with the
 * unread count at once (if known) and at every change. EventSource reconnects by itself when
 * the server ends a stream (every minute) or the connection drops. Returns the function that
 * stops listening; the stream closes when nobody listens.
 */
export function watchNotices(onUnread: (unread: number) => void): () => void {
  listeners.add(onUnread);
  if (lastUnread !== null) onUnread(lastUnread);
  if (!source) {
    source = new EventSource(pathOf(routes.notices.stream));
    source.addEventListener("unread", (event) => {
      const unread = Number((JSON.parse((event as MessageEvent<string>).data) as { unread?: unknown }).unread);
      if (!Number.isSafeInteger(unread) || unread < 0) return;
      lastUnread = unread;
      for (const listener of listeners) listener(unread);
    });
  }
  return () => {
    listeners.delete(onUnread);
    if (listeners.size === 0 && source) {
      source.close();
      source = null;
      lastUnread = null;
    }
  };
}

/**
 * What a clinician's browser knows of the patients behind their notices, all opened here, never
 * sent: the shares held now (grant id → patient and the name revealed in the grant) and the names
 * this clinician's vault kept of patients shown before (patient id → name), for shares now gone.
 */
export interface ClinicianNames {
  shares: ReadonlyMap<string, RevealedShare>;
  patients: ReadonlyMap<string, string>;
}

export const noClinicianNames: ClinicianNames = { shares: new Map(), patients: new Map() };

/**
 * The name a clinician's notice names its patient by: the one revealed in the share it is about
 * (still held), else the name the vault kept for that patient; null when neither is known (the
 * notice's fixed words then need no name).
 */
export function clinicianNoticeName(notice: Pick<Notice, "actorId" | "grantId">, known: ClinicianNames): string | null {
  const share = notice.grantId ? known.shares.get(notice.grantId) : undefined;
  return share?.revealedName ?? (notice.actorId ? (known.patients.get(notice.actorId) ?? null) : null);
}

/**
 * A notice in words: the kind's fixed sentence, and, where a clinician acted, who, from their
 * directory entry (read through their certified keys; a certificate that does not verify
 * leaves the generic words). A clinician's notice about a patient names them as
 * `clinicianNoticeName` finds. Names are looked up here, in the browser: the server never puts
 * one in a notice.
 */
export async function describeNotice(
  notice: Notice,
  names: Map<string, Promise<string | null>>,
  transport: Transport = httpTransport,
  clinicianNames: ClinicianNames = noClinicianNames,
): Promise<string> {
  const words: string = noticeKinds[notice.kind].label;
  if (noticeKinds[notice.kind].audience === "clinician") {
    const patient = clinicianNoticeName(notice, clinicianNames);
    return patient ? `${words}: ${patient}` : words;
  }
  if (!notice.actorId) return words;
  let name = names.get(notice.actorId);
  if (!name) {
    name = certifiedKeys(notice.actorId, transport).then(
      (keys) => keys.directory?.displayName ?? null,
      () => null,
    );
    names.set(notice.actorId, name);
  }
  const who = await name;
  return who ? `${words}: ${who}` : words;
}

/**
 * When a notice's events happened, as its row says it: one time; a burst within one displayed
 * minute as "3 times, <time>" (never "from 4:24 AM to 4:24 AM"); else "3 times, from <first> to <last>".
 * `first` and `last` are already formatted for the person.
 */
export function foldedWhen(count: number, first: string, last: string): string {
  if (count <= 1) return last;
  return first === last ? `${count} times, ${last}` : `${count} times, from ${first} to ${last}`;
}
