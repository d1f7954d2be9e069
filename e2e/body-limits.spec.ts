import { randomBytes, randomUUID } from "node:crypto";
import { expect, test } from "./support/test";
import { newPerson, sameOrigin } from "./support/sharing";
import { bodyLimits } from "@/contract/body-limits";

const b64 = (length: number) => randomBytes(length).toString("base64url");

/**
 * A records batch between Next's default 10 MB proxy buffer and the route's own 24 MiB is
 * taken whole: it was once cut at 10 MB and refused as "not valid JSON".
 */
test("a 12 MiB records batch is stored whole, and one over 24 MiB is refused with 413 naming the limit", async ({ browser }) => {
  test.setTimeout(120_000);
  const patient = await newPerson(browser, { role: "patient", name: "Bea Batch" });
  const request = patient.page.request;
  // Well-formed records with 128 KiB envelopes (the server checks shape and padding, not the opaque signatures).
  const records = Array.from({ length: 72 }, () => ({
    id: randomUUID(),
    ownerWrap: b64(74),
    version: { version: 1, keyVersion: 1, content: b64(42 + 128 * 1024), commitment: b64(32), signature: b64(64) },
  }));
  const body = JSON.stringify({ records });
  expect(body.length).toBeGreaterThan(12 * 1024 * 1024);
  expect(body.length).toBeLessThan(bodyLimits.recordsBatch);
  const stored = await request.post("/api/records", { headers: { ...sameOrigin(patient.page), "content-type": "application/json" }, data: body });
  expect(stored.status(), await stored.text()).toBe(201);
  expect(await stored.json()).toEqual({ created: 72 });
  // The chart comes in pages of at most 8 MiB of ciphertext: 12 MiB of records take two.
  const served: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await request.get(`/api/records${cursor ? `?cursor=${cursor}` : ""}`)).json()) as {
      records: Array<{ id: string }>;
      nextCursor: string | null;
    };
    served.push(...page.records.map((record) => record.id));
    cursor = page.nextCursor;
  } while (cursor);
  expect(served.sort()).toEqual(records.map((record) => record.id).sort());

  const tooLarge = await request.post("/api/records", {
    headers: { ...sameOrigin(patient.page), "content-type": "application/json" },
    data: JSON.stringify({ records, padding: "A".repeat(bodyLimits.recordsBatch - body.length) }),
  });
  expect(tooLarge.status()).toBe(413);
  expect((await tooLarge.json()).error).toEqual({
    code: "payload-too-large",
    message: `The request body is larger than the 24 MiB (${bodyLimits.recordsBatch} bytes) this request accepts.`,
    limitBytes: bodyLimits.recordsBatch,
  });
  await patient.close();
});
