import { describe, expect, it } from "vitest";
import type { CardSettings } from "../links/card-settings";
import type { ListedLink } from "../links/make-link";
import { cardOf } from "./card-link";

const settings: CardSettings = {
  kinds: ["allergy"],
  recordIds: [],
  key: "k".repeat(43),
  name: "Dana",
  birthDate: null,
  contacts: "",
  includeContacts: false,
  digest: "0".repeat(64),
};

const link = (id: string, state: ListedLink["state"], card: CardSettings | null = settings, flag: ListedLink["flag"] = "LP"): ListedLink => ({
  id,
  url: `https://records.example/api/shl/${"A".repeat(43)}`,
  flag,
  expiresAt: "2031-01-01T00:00:00.000Z",
  createdAt: "2026-01-01T00:00:00.000Z",
  revokedAt: state === "revoked" ? "2026-02-01T00:00:00.000Z" : null,
  disabled: state === "disabled",
  opens: 0,
  remainingAttempts: 10,
  throttledUntil: null,
  sealedLabel: "AA",
  opened: { label: "Emergency card", chosen: "Emergency set (1 record)", ...(card ? { card } : {}) },
  state,
});

describe("cardOf", () => {
  it("finds the live card first", () => {
    expect(cardOf([link("live", "live"), link("stopped", "disabled")])?.link.id).toBe("live");
  });

  it("finds a card stopped by wrong passcodes when no card is live, so the page says the printed card no longer works", () => {
    expect(cardOf([link("old", "revoked"), link("stopped", "disabled")])?.link).toMatchObject({ id: "stopped", state: "disabled" });
  });

  it("finds none among revoked or expired cards, links that are not long-term, or links without card settings", () => {
    expect(cardOf([link("a", "revoked"), link("b", "expired"), link("c", "live", settings, "P"), link("d", "live", null)])).toBeNull();
  });
});
