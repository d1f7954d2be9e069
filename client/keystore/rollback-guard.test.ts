import { describe, expect, it } from "vitest";
import { decodeProfile, encodeProfile } from "./account-keys";
import {
  emptyLedger,
  grantListRollback,
  receivedGrantRolledBack,
  rememberDeletion,
  rememberGrants,
  rememberReceivedGrant,
  rememberRecords,
  rememberVault,
  rollbackError,
  type ServedGrant,
  staleRecordIds,
  vaultRolledBack,
} from "./rollback-guard";

const now = Date.parse("2026-11-25T12:00:00Z");
const seen = rememberRecords(emptyLedger(), [
  { id: "a", version: 3, keyVersion: 2 },
  { id: "b", version: 1, keyVersion: 1 },
]);

describe("records", () => {
  it("refuses a version or a key older than one seen, and nothing else", () => {
    const stale = staleRecordIds(seen, [
      { id: "a", version: 2, keyVersion: 2 },
      { id: "b", version: 1, keyVersion: 1 },
      { id: "new", version: 1, keyVersion: 1 },
    ]);
    expect([...stale]).toEqual(["a"]);
    expect(staleRecordIds(seen, [{ id: "a", version: 3, keyVersion: 1 }]).has("a")).toBe(true);
    expect(staleRecordIds(seen, [{ id: "a", version: 4, keyVersion: 3 }]).size).toBe(0);
  });

  it("checks only the key where no version is served", () => {
    expect(staleRecordIds(seen, [{ id: "a", keyVersion: 2 }]).size).toBe(0);
    expect(staleRecordIds(seen, [{ id: "a", keyVersion: 1 }]).has("a")).toBe(true);
  });

  it("keeps the highest counters seen, even when an older copy is remembered later", () => {
    const later = rememberRecords(seen, [{ id: "a", version: 1, keyVersion: 1 }]);
    expect(later.records.a).toEqual([3, 2]);
  });

  it("refuses a record this browser deleted if it is served again, and never forgets the deletion", () => {
    const afterDeletion = rememberRecords(rememberDeletion(seen, "b"), [{ id: "b", version: 9, keyVersion: 9 }]);
    expect(staleRecordIds(afterDeletion, [{ id: "b", version: 9, keyVersion: 9 }]).has("b")).toBe(true);
  });
});

const grant = (changes: Partial<ServedGrant> = {}): ServedGrant => ({
  id: "g1",
  scope: "records",
  revokedAt: null,
  expiresAt: null,
  recordIds: ["r1", "r2"],
  ...changes,
});

describe("grant lists", () => {
  const seenActive = rememberGrants(emptyLedger(), [grant()], now);

  it("accepts the list moving forward: new grants, revocations, records leaving", () => {
    expect(grantListRollback(seenActive, [grant(), grant({ id: "g2" })], now)).toBeNull();
    expect(grantListRollback(seenActive, [grant({ revokedAt: "2026-11-25T11:00:00Z" })], now)).toBeNull();
    expect(grantListRollback(seenActive, [grant({ recordIds: ["r1"] })], now)).toBeNull();
  });

  it("refuses a list without a grant already seen", () => {
    expect(grantListRollback(seenActive, [grant({ id: "g2" })], now)).toBe("a grant is missing");
  });

  it("takes a grant renewed after a member left its care team as living on in the successor that names it", () => {
    expect(grantListRollback(seenActive, [grant({ id: "g2", renewedGrantIds: ["g1"] })], now)).toBeNull();
    expect(grantListRollback(seenActive, [grant({ id: "g3", renewedGrantIds: ["g2"] })], now)).toBe("a grant is missing");
  });

  it("refuses a revoked grant shown as active again", () => {
    const seenRevoked = rememberGrants(seenActive, [grant({ revokedAt: "2026-11-25T11:00:00Z" })], now);
    expect(grantListRollback(seenRevoked, [grant()], now)).toBe("an ended grant is active again");
  });

  it("refuses an expired grant whose end date was pushed back", () => {
    const seenExpired = rememberGrants(emptyLedger(), [grant({ expiresAt: "2026-11-25T11:00:00Z" })], now);
    expect(grantListRollback(seenExpired, [grant({ expiresAt: "2026-12-25T11:00:00Z" })], now)).toBe("an ended grant is active again");
  });

  it("accepts a signed change that lists a withdrawn record again, and refuses the list from before it", () => {
    const seenWithdrawn = rememberGrants(seenActive, [grant({ recordIds: ["r1"] })], now);
    const changed = grant({ recordIds: ["r1", "r2", "r3"], revision: 2 });
    expect(grantListRollback(seenWithdrawn, [changed], now)).toBeNull();
    const seenChanged = rememberGrants(seenWithdrawn, [changed], now);
    expect(grantListRollback(seenChanged, [grant()], now)).toBe("a grant is older than one already seen");
    expect(grantListRollback(seenChanged, [grant({ recordIds: ["r1"] })], now)).toBe("a grant is older than one already seen");
    // A record taken out after the change cannot come back at the same revision.
    const seenAfter = rememberGrants(seenChanged, [grant({ recordIds: ["r1", "r3"], revision: 2 })], now);
    expect(grantListRollback(seenAfter, [changed], now)).toBe("a withdrawn record is shared again");
    expect(grantListRollback(seenAfter, [grant({ recordIds: ["r1", "r2", "r3"], revision: 3 })], now)).toBeNull();
  });

  it("refuses a clinician an older statement of a grant than one verified, and accepts newer ones", () => {
    const seen = rememberReceivedGrant(emptyLedger(), "g1", 2);
    expect(receivedGrantRolledBack(seen, "g1", 1)).toBe(true);
    expect(receivedGrantRolledBack(seen, "g1", 2)).toBe(false);
    expect(receivedGrantRolledBack(seen, "g1", 3)).toBe(false);
    expect(receivedGrantRolledBack(seen, "g2", 1)).toBe(false);
    expect(rememberReceivedGrant(seen, "g1", 1).received.g1).toBe(2);
  });

  it("refuses a record withdrawn from a grant coming back into it", () => {
    const seenWithdrawn = rememberGrants(seenActive, [grant({ recordIds: ["r1"] })], now);
    expect(grantListRollback(seenWithdrawn, [grant({ recordIds: ["r1"] })], now)).toBeNull();
    expect(grantListRollback(seenWithdrawn, [grant()], now)).toBe("a withdrawn record is shared again");
    // Remembered even after the grant's list was seen again without it.
    const twice = rememberGrants(seenWithdrawn, [grant({ recordIds: ["r1"] })], now);
    expect(grantListRollback(twice, [grant()], now)).toBe("a withdrawn record is shared again");
  });
});

describe("the vault", () => {
  it("refuses a copy with a lower counter than one opened here", () => {
    const ledger = rememberVault(emptyLedger(), 7);
    expect(vaultRolledBack(ledger, 6)).toBe(true);
    expect(vaultRolledBack(ledger, 7)).toBe(false);
    expect(rememberVault(ledger, 3).vault).toBe(7);
  });

  it("keeps the counter inside the encrypted profile, and reads a missing or bad one as 0", () => {
    expect(decodeProfile(encodeProfile({ displayName: "P", sequence: 12 })).sequence).toBe(12);
    expect(decodeProfile(new TextEncoder().encode(JSON.stringify({ v: 1, displayName: "P" }))).sequence).toBe(0);
    expect(decodeProfile(new TextEncoder().encode(JSON.stringify({ v: 1, displayName: "P", sequence: -4 }))).sequence).toBe(0);
  });

  it("explains itself in words a person can act on", () => {
    expect(rollbackError("your encrypted vault").message).toMatch(/older copy of your encrypted vault than this browser has already seen/);
  });
});
