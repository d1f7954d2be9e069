import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, generateEncryptionKeyPair, generateRecordKey, sealRecordKeyToOwner, toBase64url } from "@/crypto";
import { chartRecordSchema } from "./records";

beforeAll(() => cryptoReady());

describe("the chart's owner wraps", () => {
  it("take a record key sealed to the owner, as a clinician's note carries it (bigger than a key wrap)", () => {
    const owner = generateEncryptionKeyPair();
    const sealed = sealRecordKeyToOwner(generateRecordKey(), owner.publicKey, { recordId: randomUUID(), keyVersion: 1 });
    // Once refused by a 128-byte limit: a patient's chart with a doctor's note failed its own contract (a 500).
    expect(sealed.length).toBeGreaterThan(128);
    expect(chartRecordSchema.shape.ownerWrap.safeParse(toBase64url(sealed)).success).toBe(true);
  });
});
