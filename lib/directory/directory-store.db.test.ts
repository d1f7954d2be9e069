import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { clinicianDirectory, keyCertificates, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { publishedKeys, searchDirectory } from "./directory-store";

const keysOf = (userId: string) => ({
  id: randomUUID(),
  userId,
  identityPublicKey: randomBytes(32),
  encryptionPublicKey: randomBytes(32),
  certificate: randomBytes(150),
});

describe.each(testDatabaseKinds())("clinician directory on %s", (kind) => {
  let database: TestDatabase;
  const ids = { cardiologist: randomUUID(), nurse: randomUUID(), verified: randomUUID(), patient: randomUUID(), disabled: randomUUID() };

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await database.db.insert(users).values([
      { id: ids.cardiologist, role: "doctor" },
      { id: ids.nurse, role: "nurse" },
      { id: ids.verified, role: "doctor" },
      { id: ids.patient, role: "patient" },
      { id: ids.disabled, role: "doctor", disabledAt: new Date() },
    ]);
    const entry = (userId: string, displayName: string, specialty: string, organization: string, verified = false) => ({
      userId,
      displayName,
      specialty,
      organization,
      licenceNumber: "L-1",
      verifiedAt: verified ? new Date() : null,
    });
    await database.db
      .insert(clinicianDirectory)
      .values([
        entry(ids.cardiologist, "Dr Ada Heart", "Cardiology", "Riverside Clinic"),
        entry(ids.nurse, "Nurse Ben Care", "Diabetes care", "Riverside Clinic"),
        entry(ids.verified, "Dr Zoe Heart", "Cardiology", "Hilltop Hospital", true),
        entry(ids.disabled, "Dr Gone Heart", "Cardiology", "Nowhere"),
      ]);
    // Every listed clinician has current keys (one without cannot be shared with, so is not listed); the nurse has none.
    await database.db.insert(keyCertificates).values([ids.cardiologist, ids.verified, ids.disabled].map(keysOf));
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("finds clinicians by name, specialty or organization, verified first", async () => {
    const found = async (query: string) => (await searchDirectory(database.db, query)).clinicians;
    expect((await found("heart")).map((entry) => entry.displayName)).toEqual(["Dr Zoe Heart", "Dr Ada Heart"]);
    expect((await found("cardio")).map((entry) => entry.verified)).toEqual([true, false]);
    expect((await found("riverside")).map((entry) => entry.role)).toEqual(["doctor"]);
  });

  it("treats wildcards as text", async () => {
    expect(await searchDirectory(database.db, "%%%")).toEqual({ clinicians: [], more: false });
    expect(await searchDirectory(database.db, "___")).toEqual({ clinicians: [], more: false });
  });

  it("refuses queries shorter than three characters, which would page through the directory", async () => {
    for (const query of ["", "a", "he", "  he  "]) {
      const refusal = await searchDirectory(database.db, query).catch((caught: unknown) => caught);
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).code).toBe("invalid-input");
    }
  });

  it("answers at most twenty clinicians, and says when more match", async () => {
    const many = Array.from({ length: 22 }, () => randomUUID());
    await database.db.insert(users).values(many.map((id) => ({ id, role: "doctor" as const })));
    await database.db.insert(keyCertificates).values(many.map(keysOf));
    await database.db
      .insert(clinicianDirectory)
      .values(
        many.map((userId, index) => ({ userId, displayName: `Dr Many ${index}`, specialty: "Oncology", organization: "Crowded Clinic", licenceNumber: "L-2" })),
      );
    const crowded = await searchDirectory(database.db, "crowded");
    expect(crowded.clinicians).toHaveLength(20);
    expect(crowded.more).toBe(true);
    expect((await searchDirectory(database.db, "Dr Many 21")).more).toBe(false);
  });

  it("serves published keys, and nothing for someone without them", async () => {
    const keys = await publishedKeys(database.db, ids.cardiologist);
    expect(keys.identityPublicKey).toHaveLength(43);
    await expect(publishedKeys(database.db, ids.nurse)).rejects.toBeInstanceOf(AppError);
  });
});
