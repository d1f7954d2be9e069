import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { noticeEmails, noticePreferences } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { insertPeople, newPatientSharing } from "@/lib/grants/test-fixtures";
import { noticesOf } from "./notice-kinds";
import { sendDueNoticeEmails, type MailTransport } from "./notice-email";
import { noticeFoldWindowMs, recordNotices, type EmailQueuing } from "./notice-store";

/** A real SMTP server in this process (smtp-server), keeping every message it accepts, raw. */
async function startSmtpServer() {
  const received: Array<{ to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { received, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const queuing: EmailQueuing = { enabled: true, intervalMs: 30 * 60_000, gatherMs: 60_000 };
const appOrigin = "https://records.example.org";
const options = { from: "notices@records.example.org", appOrigin, intervalMs: 30 * 60_000 };
/** Health data and names a record could hold: none may reach an email. */
const canaries = ["Canary-Penicillin-Allergy", "Canary Patient Name", "Dr Canary Clinician"];

describe.each(testDatabaseKinds())("notice emails on %s", (kind) => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let transport: MailTransport;
  const doctor = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { doctors: [doctor] });
    smtp = await startSmtpServer();
    transport = nodemailer.createTransport({ host: "127.0.0.1", port: smtp.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    await smtp?.close();
    await database?.dispose();
  });

  /** A patient who asked for emails about opened records and links, sharing two records with the doctor; returns the patient and grant ids. */
  async function sharingPatient(address: string) {
    const sharing = await newPatientSharing(database.db, doctor);
    await database.db.insert(noticePreferences).values({ userId: sharing.patient, email: address, emailKinds: ["records-opened", "link-opened"] });
    return sharing;
  }
  /** The clinician's read of the patient's records at `at`, as the audit trail records it (the same event the server appends). */
  const clinicianRead = (patient: string, grantId: string, at: Date) =>
    recordNotices(database.db, noticesOf([{ subjectId: patient, actorId: doctor, action: "records-received", outcome: "success", grantId }]), at, queuing);
  const mailsTo = (address: string) => smtp.received.filter((mail) => mail.to.includes(address));

  it("sends one email for a burst of 50 accesses, with no health data and no names, and folds later ones into the next", async () => {
    const address = `burst-${randomUUID()}@example.org`;
    const { patient, grantId } = await sharingPatient(address);
    const start = new Date((Math.floor(Date.now() / noticeFoldWindowMs) + 1) * noticeFoldWindowMs);
    // 50 reads by the clinician, as the audit trail records them (the same events the server appends).
    for (let read = 0; read < 50; read += 1) {
      const at = new Date(start.getTime() + read * 500);
      await clinicianRead(patient, grantId, at);
    }
    // Not before the gathering delay: the burst is still arriving.
    expect(await sendDueNoticeEmails(database.db, transport, options, new Date(start.getTime() + 30_000))).toEqual({ sent: 0, failed: 0 });
    expect(await sendDueNoticeEmails(database.db, transport, options, new Date(start.getTime() + 90_000))).toEqual({ sent: 1, failed: 0 });
    // Two app servers running the sender at once afterwards find nothing more to send.
    const again = await Promise.all([0, 1].map(() => sendDueNoticeEmails(database.db, transport, options, new Date(start.getTime() + 91_000))));
    expect(again).toEqual([
      { sent: 0, failed: 0 },
      { sent: 0, failed: 0 },
    ]);

    const mails = mailsTo(address);
    expect(mails).toHaveLength(1);
    const raw = mails[0]!.raw;
    expect(raw).toContain("Someone opened records you shared. Sign in to see who.");
    expect(raw).toContain("This happened 50 times since the last email.");
    for (const canary of canaries) expect(raw).not.toContain(canary);
    expect(raw).not.toContain(doctor);
    expect(raw).not.toContain(grantId);
    expect(raw).not.toContain(patient);

    // Another read within the interval waits for it, then goes as one email.
    await clinicianRead(patient, grantId, new Date(start.getTime() + 120_000));
    expect((await sendDueNoticeEmails(database.db, transport, options, new Date(start.getTime() + 10 * 60_000))).sent).toBe(0);
    expect((await sendDueNoticeEmails(database.db, transport, options, new Date(start.getTime() + 90_000 + queuing.intervalMs))).sent).toBe(1);
    expect(mailsTo(address)).toHaveLength(2);
  });

  it("emails about a link opened without the name its opener declared", async () => {
    const address = `link-${randomUUID()}@example.org`;
    const { patient } = await sharingPatient(address);
    const now = new Date();
    await recordNotices(
      database.db,
      noticesOf([{ subjectId: patient, actorId: null, action: "link-opened", outcome: "success", grantId: randomUUID(), recipient: canaries[2] }]),
      now,
      queuing,
    );
    expect((await sendDueNoticeEmails(database.db, transport, options, new Date(now.getTime() + 61_000))).sent).toBeGreaterThanOrEqual(1);
    const [mail] = mailsTo(address);
    expect(mail?.raw).toContain("Someone opened a link you made to your records.");
    for (const canary of canaries) expect(mail?.raw).not.toContain(canary);
  });

  it("retries a failed send later, and sends nothing to a person who removed their address", async () => {
    const address = `retry-${randomUUID()}@example.org`;
    const { patient, grantId } = await sharingPatient(address);
    const now = new Date();
    await clinicianRead(patient, grantId, now);
    const refusing: MailTransport = { sendMail: () => Promise.reject(new Error("451 try later")) };
    expect(await sendDueNoticeEmails(database.db, refusing, options, new Date(now.getTime() + 61_000))).toEqual({ sent: 0, failed: 1 });
    const [row] = await database.db.select().from(noticeEmails).where(eq(noticeEmails.recipientId, patient));
    expect(row).toMatchObject({ pending: 1, attempts: 1, claimedUntil: null });
    // Not again at once; after the retry delay, through the real server.
    expect((await sendDueNoticeEmails(database.db, transport, options, new Date(now.getTime() + 62_000))).sent).toBe(0);
    expect((await sendDueNoticeEmails(database.db, transport, options, new Date(now.getTime() + 61_000 + 2 * 60_000))).sent).toBe(1);
    expect(mailsTo(address)).toHaveLength(1);

    await clinicianRead(patient, grantId, now);
    await database.db.update(noticePreferences).set({ email: null }).where(eq(noticePreferences.userId, patient));
    expect((await sendDueNoticeEmails(database.db, transport, options, new Date(now.getTime() + 24 * 3600_000))).sent).toBe(0);
    expect(mailsTo(address)).toHaveLength(1);
  });
});
