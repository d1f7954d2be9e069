import { describe, expect, it } from "vitest";
import type { Notice } from "@/contract/notices";
import { noticeActionOf } from "./notice-actions";

const grantId = "11111111-1111-4111-8111-111111111111";
const patientId = "22222222-2222-4222-8222-222222222222";
const notice = (kind: Notice["kind"]): Notice => ({
  id: "1",
  kind,
  actorId: patientId,
  grantId,
  linkId: null,
  recordId: null,
  count: 1,
  firstAt: "2026-01-01T00:00:00.000Z",
  lastAt: "2026-01-01T00:00:00.000Z",
  read: false,
});

describe("where a notice's reader acts on it", () => {
  it("links a clinician's notice to the share it is about while they hold it, named as its patient chose", () => {
    const shares = new Map([[grantId, { patientId, revealedName: "Stella Sharer" }]]);
    expect(noticeActionOf(notice("patient-shared"), shares)).toEqual({ href: `/shared#share-${grantId}`, text: "Open what Stella Sharer shares with you" });
    expect(noticeActionOf(notice("patient-shared"), new Map([[grantId, { patientId, revealedName: null }]]))).toEqual({
      href: `/shared#share-${grantId}`,
      text: "Open this share",
    });
  });
  it("falls back to the kind's page, in words needing no name, once the share is gone", () => {
    expect(noticeActionOf(notice("patient-stopped-sharing"), new Map())).toEqual({ href: "/shared", text: "Open what is shared with you" });
    expect(noticeActionOf(notice("patient-left"), new Map())).toBeUndefined();
  });
  it("keeps a patient's notices' actions as they are", () => {
    expect(noticeActionOf(notice("records-opened"), new Map())).toEqual({ href: "/history", text: "See who opened what in History" });
  });
});
