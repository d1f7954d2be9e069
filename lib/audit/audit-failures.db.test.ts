import { randomBytes, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { auditEvents, passkeyCredentials, users } from "@/drizzle/schema";
import { renameStoredPasskey } from "@/lib/accounts/passkey-store";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import * as log from "@/lib/log";
import { noteRefusal } from "./refusals";

// An audit write that fails is never dropped in silence: where the action goes on without
// it, the failure is logged (kind, actor, error class; nothing the error quotes); where the
// event is part of the action's transaction, the action fails with it.
describe.each(testDatabaseKinds())("audit writes that fail, on %s", (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await database.db.execute(sql`drop trigger if exists audit_down on audit_heads`);
  });

  /** Every append (and every count) takes its subject's head row first: failing that fails them all. */
  async function breakAuditWrites() {
    await database.db.execute(sql`
      create or replace function audit_down() returns trigger language plpgsql as $$
      begin raise exception 'audit store down for patient %', new.subject_id; end $$`);
    await database.db.execute(sql`create trigger audit_down before insert or update on audit_heads for each row execute function audit_down()`);
  }

  async function createUser(role: "patient" | "doctor" = "patient") {
    const id = randomUUID();
    await database.db.insert(users).values({ id, role });
    return id;
  }

  it("a refusal is still answered when its count cannot join the owner's trail, and the failure is logged without what the error quotes", async () => {
    const patient = await createUser();
    const doctor = await createUser("doctor");
    const recordId = randomUUID();
    await breakAuditWrites();
    const errors = vi.spyOn(log.logger(), "error").mockImplementation(() => undefined);

    await expect(noteRefusal(database.db, doctor, { ownerId: patient, recordId })).resolves.toBeUndefined();

    expect(errors).toHaveBeenCalledTimes(1);
    const [fields, message] = errors.mock.calls[0] as unknown as [Record<string, unknown>, string];
    expect(message).toBe("audit event not written");
    expect(Object.keys(fields).sort()).toEqual(["actorId", "auditAction", "errorClass", "errorCode"]);
    expect(fields).toMatchObject({ auditAction: "access-refused", actorId: doctor, errorCode: "P0001" });
    expect(fields.errorClass).toEqual(expect.any(String));
    expect(JSON.stringify(fields)).not.toContain(patient);
    expect(JSON.stringify(fields)).not.toContain(recordId);
  });

  it("a passkey rename whose event cannot be written does not happen", async () => {
    const userId = await createUser();
    const credentialId = randomBytes(16).toString("base64url");
    await database.db
      .insert(passkeyCredentials)
      .values({ id: credentialId, userId, publicKey: randomBytes(77), deviceType: "singleDevice", backedUp: false, prfCapable: true, name: "Laptop" });
    await breakAuditWrites();

    await expect(renameStoredPasskey(database.db, userId, credentialId, "Work laptop")).rejects.toThrow();

    const [stored] = await database.db.select({ name: passkeyCredentials.name }).from(passkeyCredentials).where(eq(passkeyCredentials.id, credentialId));
    expect(stored?.name).toBe("Laptop");
    expect(await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, userId))).toEqual([]);
  });

  it("with the trail working, the rename and its event commit together", async () => {
    const userId = await createUser();
    const credentialId = randomBytes(16).toString("base64url");
    await database.db
      .insert(passkeyCredentials)
      .values({ id: credentialId, userId, publicKey: randomBytes(77), deviceType: "singleDevice", backedUp: false, prfCapable: true, name: "Laptop" });

    await renameStoredPasskey(database.db, userId, credentialId, "Work laptop");

    const [stored] = await database.db.select({ name: passkeyCredentials.name }).from(passkeyCredentials).where(eq(passkeyCredentials.id, credentialId));
    expect(stored?.name).toBe("Work laptop");
    expect((await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, userId))).map((event) => event.action)).toEqual(["passkey-renamed"]);
  });
});
