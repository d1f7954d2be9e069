import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { insertPeople } from "@/lib/grants/test-fixtures";
import { markNoticesRead, recordNotices } from "./notice-store";
import { noticeEventStream } from "./notice-stream";

/** Reads a text/event-stream body event by event (blocks separated by a blank line), comments skipped. */
function eventsOf(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    /** The next event's name and data, or null when the stream ended. */
    async next(): Promise<{ event: string; data: unknown } | null> {
      for (;;) {
        const end = buffered.indexOf("\n\n");
        if (end >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const lines = block.split("\n").filter((line) => !line.startsWith(":"));
          const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
          const data = lines.find((line) => line.startsWith("data: "))?.slice(6);
          if (event && data) return { event, data: JSON.parse(data) as unknown };
          continue;
        }
        const { done, value } = await reader.read();
        if (done) return null;
        buffered += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe.each(testDatabaseKinds())("the live notice stream on %s", (kind) => {
  let database: TestDatabase;
  const person = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [person] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const linkOpened = () =>
    recordNotices(database.db, [{ recipientId: person, kind: "link-opened", actorId: null, grantId: null, linkId: randomUUID(), recordId: null }], new Date(), {
      enabled: false,
    });

  it("sends the unread count at once and at each change (a new notice, a read), and nothing else", async () => {
    const aborted = new AbortController();
    const stream = eventsOf(
      noticeEventStream({ db: database.db, recipientId: person, lifetimeMs: 120_000, stillSignedIn: async () => true, signal: aborted.signal }),
    );
    expect(await stream.next()).toEqual({ event: "unread", data: { unread: 0 } });
    await linkOpened();
    expect(await stream.next()).toEqual({ event: "unread", data: { unread: 1 } });
    await linkOpened();
    expect(await stream.next()).toEqual({ event: "unread", data: { unread: 2 } });
    await markNoticesRead(database.db, person, { all: true });
    expect(await stream.next()).toEqual({ event: "unread", data: { unread: 0 } });
    // The browser goes away: the stream ends.
    aborted.abort();
    expect(await stream.next()).toBeNull();
  });

  it("ends when the session does, and when its lifetime is over", async () => {
    let signedIn = true;
    const ending = eventsOf(
      noticeEventStream({
        db: database.db,
        recipientId: person,
        lifetimeMs: 120_000,
        stillSignedIn: async () => signedIn,
        signal: new AbortController().signal,
      }),
    );
    expect((await ending.next())?.event).toBe("unread");
    signedIn = false;
    expect(await ending.next()).toBeNull();

    const short = eventsOf(
      noticeEventStream({ db: database.db, recipientId: person, lifetimeMs: 1, stillSignedIn: async () => true, signal: new AbortController().signal }),
    );
    // At most the count it had at once, then the end.
    const first = await short.next();
    if (first) expect(await short.next()).toBeNull();
  });
});
