import { describe, expect, it } from "vitest";
import type { EmergencyContact } from "@/contract/emergency";
import type { PinnedContact } from "../keystore/vault-store";
import { cardContactLine, cardContacts, contactLabel } from "./contact-names";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const pin = (details: Partial<PinnedContact> = {}): PinnedContact => ({
  identityPublicKey: "k",
  encryptionKeyFingerprint: "f",
  verified: true,
  pinnedAt: "2026-01-01T00:00:00.000Z",
  ...details,
});
const contact = (n: number, contactId: string, state: EmergencyContact["state"] = "standby"): EmergencyContact => ({
  grantId: id(100 + n),
  contactId,
  waitSeconds: 86_400,
  state,
  createdAt: `2026-01-0${n}T00:00:00.000Z`,
  endedAt: null,
  revision: 1,
  recordIds: [],
  sealedChoice: "x".repeat(43),
  requestedAt: null,
  opensAt: null,
  approvedAt: null,
  refusedAt: null,
});

describe("emergency contacts by name", () => {
  it("names a contact by the name pinned in the vault, the account id second; an account id alone when none is pinned", () => {
    const pins = { [id(1)]: pin({ name: "Ann Carter" }), [id(2)]: pin() };
    expect(contactLabel(id(1), pins)).toEqual({ name: "Ann Carter", account: "00000000…" });
    expect(contactLabel(id(2), pins).name).toBeNull();
    expect(contactLabel(id(3), undefined).name).toBeNull();
  });

  it("lists each live contact once for the card, in the order named, with how to reach them; ended and unnamed ones left out (unnamed counted)", () => {
    const pins = { [id(1)]: pin({ name: "Ann Carter", reach: "+44 161 496 0000" }), [id(2)]: pin({ name: "Bob" }), [id(4)]: pin({ name: "Ended Eve" }) };
    const contacts = [contact(3, id(2)), contact(1, id(1)), contact(2, id(1)), contact(4, id(3)), contact(5, id(4), "ended")];
    const { named, unnamed } = cardContacts(contacts, pins);
    expect(named).toEqual([
      { name: "Ann Carter", reach: "+44 161 496 0000" },
      { name: "Bob", reach: null },
    ]);
    expect(unnamed).toBe(1);
    expect(named.map(cardContactLine)).toEqual(["Ann Carter — +44 161 496 0000", "Bob"]);
  });
});
