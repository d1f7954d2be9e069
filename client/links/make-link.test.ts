import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, decodeShlink, decryptShlFile } from "@/crypto";
import { routes } from "@/contract/routes";
import type { LinkSummary, NewLink } from "@/contract/links";
import { fakeTransport } from "../transport/fake-transport";
import { person } from "../sharing/test-fixtures";
import { buildLinkBundle } from "./make-bundle";
import { openLinkLabel } from "./make-label";
import { chosenWords, linkState, listLinks, makeLink } from "./make-link";

beforeAll(cryptoReady);

const now = new Date("2026-11-30T09:00:00Z");
const origin = "https://hsc.example";
const bundle = () =>
  buildLinkBundle({
    records: [{ id: "a", resource: { resourceType: "Condition", code: { text: "Asthma" } } }],
    selection: { by: "records", recordIds: ["a"] },
    patient: { name: "Paul" },
    now,
  });

/** A fake server that keeps what it was sent and answers as POST /api/links does. */
function linkServer() {
  const sent: NewLink[] = [];
  const links: LinkSummary[] = [];
  const transport = fakeTransport()
    .on(routes.links.create, ({ body }) => {
      sent.push(body);
      const link: LinkSummary = {
        id: crypto.randomUUID(),
        url: `${origin}/api/shl/${"A".repeat(43)}`,
        flag: body.flag,
        expiresAt: body.expiresAt,
        createdAt: now.toISOString(),
        revokedAt: null,
        disabled: false,
        opens: 0,
        remainingAttempts: body.flag === "P" ? 10 : null,
        throttledUntil: null,
        sealedLabel: body.sealedLabel,
      };
      links.unshift(link);
      return { link };
    })
    .on(routes.links.list, () => ({ links }));
  return { transport, sent, links };
}

describe("making a link", () => {
  it("uploads only the JWE, flag U, the expiry and the sealed label; the link carries url, key, exp, flag, label, v in that order", async () => {
    const patient = await person("patient", "Paul");
    const server = linkServer();
    const steps: string[] = [];
    const made = await makeLink(
      { bundle: bundle(), label: " Dr Who clinic ", chosen: "1 record", expiry: "7d" },
      patient.vault,
      server.transport,
      origin,
      (step) => steps.push(step),
      now,
    );
    expect(steps).toEqual(["encrypting", "uploading"]);
    const [body] = server.sent;
    expect(Object.keys(body!).sort()).toEqual(["expiresAt", "flag", "jwe", "sealedLabel"]);
    expect(body).toMatchObject({ flag: "U", expiresAt: "2026-12-07T09:00:00.000Z" });
    expect(JSON.stringify(body)).not.toContain("Asthma");
    expect(JSON.stringify(body)).not.toContain("Dr Who");

    expect(made.text.startsWith(`${origin}/links/open#shlink:/`)).toBe(true);
    const payload = decodeShlink(made.text);
    expect(Object.keys(payload)).toEqual(["url", "key", "exp", "flag", "label", "v"]);
    expect(payload).toMatchObject({ url: made.link.url, exp: Date.parse("2026-12-07T09:00:00Z") / 1000, flag: "U", label: "Dr Who clinic", v: 1 });
    // The key in the link opens the JWE the server holds: the Bundle, as FHIR JSON.
    const opened = await decryptShlFile(body!.jwe, payload.key);
    expect(opened.contentType).toBe("application/fhir+json");
    expect(JSON.parse(new TextDecoder().decode(opened.plaintext))).toMatchObject({ resourceType: "Bundle", type: "collection" });
    expect(openLinkLabel(body!.sealedLabel, patient.vault.keys.vaultKey)).toEqual({ label: "Dr Who clinic", chosen: "1 record" });
  });

  it("a passcode makes it flag P (never U and P), and the passcode goes only to the server", async () => {
    const patient = await person("patient", "Paul");
    const server = linkServer();
    const made = await makeLink(
      { bundle: bundle(), label: "Knee", chosen: "1 record", expiry: "15m", passcode: "knee-2026" },
      patient.vault,
      server.transport,
      origin,
      undefined,
      now,
    );
    expect(server.sent[0]).toMatchObject({ flag: "P", passcode: "knee-2026", expiresAt: "2026-11-30T09:15:00.000Z" });
    expect(decodeShlink(made.text).flag).toBe("P");
    expect(made.text).not.toContain("knee-2026");
  });

  it("refuses a label over 80 characters and a passcode outside 6–64 characters before uploading", async () => {
    const patient = await person("patient", "Paul");
    const server = linkServer();
    await expect(makeLink({ bundle: bundle(), label: "x".repeat(81), chosen: "", expiry: "1h" }, patient.vault, server.transport, origin)).rejects.toThrow();
    await expect(
      makeLink({ bundle: bundle(), label: "x", chosen: "", expiry: "1h", passcode: "12345" }, patient.vault, server.transport, origin),
    ).rejects.toThrow();
    expect(server.sent).toEqual([]);
  });

  it("lists live links first with their labels opened, and tells expired, revoked and stopped links apart", async () => {
    const patient = await person("patient", "Paul");
    const server = linkServer();
    await makeLink({ bundle: bundle(), label: "Old", chosen: "1 record", expiry: "15m" }, patient.vault, server.transport, origin, undefined, now);
    await makeLink({ bundle: bundle(), label: "New", chosen: "2 records", expiry: "30d" }, patient.vault, server.transport, origin, undefined, now);
    const later = new Date(now.getTime() + 60 * 60_000);
    const listed = await listLinks(patient.vault, server.transport, later);
    expect(listed.map((link) => [link.opened?.label, link.state])).toEqual([
      ["New", "live"],
      ["Old", "expired"],
    ]);
    // Another vault's seal (or an altered one) is listed, unopened, never hidden.
    server.links[0]!.sealedLabel = server.links[1]!.sealedLabel.slice(0, -4) + "AAAA";
    expect((await listLinks(patient.vault, server.transport, later)).map((link) => link.opened)).toContain(null);

    const base = { revokedAt: null, disabled: false, expiresAt: later.toISOString() };
    expect(linkState(base, now)).toBe("live");
    expect(linkState({ ...base, revokedAt: now.toISOString() }, now)).toBe("revoked");
    expect(linkState({ ...base, disabled: true }, now)).toBe("disabled");
    expect(linkState(base, later)).toBe("expired");
  });

  it("words what a link carries", () => {
    expect(chosenWords({ by: "summary" }, 12, true)).toBe("My summary (PDF and 12 records)");
    expect(chosenWords({ by: "kinds", kinds: ["condition", "medication"] }, 3, false)).toBe("Problems and Medications (3 records)");
    expect(chosenWords({ by: "records", recordIds: ["a"] }, 1, true)).toBe("1 record and the summary PDF");
  });
});
