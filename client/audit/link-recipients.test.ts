import { describe, expect, it } from "vitest";
import { routes } from "@/contract/routes";
import { ApiError } from "../transport/api";
import { fakeTransport } from "../transport/fake-transport";
import { linkRecipients } from "./link-recipients";

const linkA = "00000000-0000-4000-8000-00000000000a";
const linkB = "00000000-0000-4000-8000-00000000000b";
const at = (second: number) => new Date(Date.UTC(2026, 10, 30, 9, 0, second)).toISOString();

describe("the recipient behind each link event", () => {
  it("matches each event to its link's access of the same outcome and instant, and leaves the rest unnamed", async () => {
    const transport = fakeTransport().on(routes.links.accesses, ({ params }) => {
      if (params.id === linkB) throw new ApiError(404, "not-found", "Not found.");
      return {
        accesses: [
          { at: at(3), recipient: "Second", outcome: "opened" as const },
          { at: at(3), recipient: "First", outcome: "opened" as const },
          { at: at(2), recipient: "Guesser", outcome: "wrong-passcode" as const },
          { at: at(1), recipient: "Dr Who", outcome: "opened" as const },
        ],
      };
    });
    const events = [
      { seq: 1, action: "link-created", grantId: linkA, occurredAt: at(0) },
      { seq: 2, action: "link-opened", grantId: linkA, occurredAt: at(1) },
      { seq: 3, action: "link-passcode-refused", grantId: linkA, occurredAt: at(2) },
      { seq: 4, action: "link-opened", grantId: linkA, occurredAt: at(3) },
      { seq: 5, action: "link-opened", grantId: linkA, occurredAt: at(3) },
      { seq: 6, action: "link-opened", grantId: linkB, occurredAt: at(4) },
      { seq: 7, action: "link-opened", grantId: linkA, occurredAt: at(9) },
    ] as const;
    const names = await linkRecipients(events, transport);
    expect([...names.entries()].sort(([a], [b]) => a - b)).toEqual([
      [2, "Dr Who"],
      [3, "Guesser"],
      [4, "First"],
      [5, "Second"],
    ]);
    // One request per link, none for links without opener events.
    expect(transport.callsTo(routes.links.accesses)).toHaveLength(2);
  });
});
