import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { SHCIssuer } from "kill-the-clipboard";
import { beforeAll, describe, expect, it } from "vitest";
import ips from "@/fixtures/shl/IPS_IG-bundle-01.json";
import immunizations from "@/fixtures/shl/example-00-a-fhirBundle.json";
import { cryptoReady, fromBase64url, toBase64, toBase64url, utf8 } from "@/crypto";
import { importableBundle, linkBundle, readLinkContent } from "./open-content";
import { ShlOpenError } from "./open-errors";
import type { Fetcher, LinkFile } from "./open-fetch";

beforeAll(cryptoReady);

const issuerUrl = "https://issuer.example/creds";
const file = (contentType: string | undefined, value: unknown): LinkFile => ({
  contentType,
  plaintext: utf8(typeof value === "string" ? value : JSON.stringify(value)),
});
const noFetch: Fetcher = () => Promise.reject(new TypeError("offline"));

function expectBadContent(run: () => unknown): void {
  expect(run).toThrow(ShlOpenError);
  try {
    run();
  } catch (error) {
    expect((error as ShlOpenError).code).toBe("bad-content");
  }
}

describe("linkBundle", () => {
  it("reads the IG's patient summary as the chart's import plans it", () => {
    const read = linkBundle(ips);
    expect(read.patientName).toBe("Martha DeLarosa");
    const kinds = read.records.map((record) => record.document.kind);
    expect(kinds).toContain("condition");
    expect(kinds).toContain("observation");
    expect(kinds).not.toContain("patient");
    // The context a record references travels with it (a statement's Medication).
    expect(read.records.some((record) => (record.document.context ?? []).some((entry) => entry.resource.resourceType === "Medication"))).toBe(true);
    expect(read.pdfs).toEqual([]);
  });

  it("refuses what is not a Bundle of resources", () => {
    expectBadContent(() => linkBundle({ resourceType: "Patient" }));
    expectBadContent(() => linkBundle({ resourceType: "Bundle", type: "collection" }));
    expectBadContent(() => linkBundle({ resourceType: "Bundle", type: "collection", entry: [] }));
    expectBadContent(() => linkBundle({ resourceType: "Bundle", type: "collection", entry: [{ fullUrl: "x" }] }));
    expectBadContent(() => linkBundle({ resourceType: "Bundle", type: "collection", entry: [{ resource: { id: "1" } }] }));
    expectBadContent(() => linkBundle({ resourceType: "Bundle", type: "history", entry: [{ resource: { resourceType: "Condition" } }] }));
    expectBadContent(() => linkBundle([]));
  });

  it("finds the summary PDF of a DocumentReference", () => {
    const data = toBase64(utf8("%PDF-1.7 test"));
    const read = linkBundle({
      resourceType: "Bundle",
      type: "collection",
      entry: [
        {
          resource: {
            resourceType: "DocumentReference",
            status: "current",
            type: { coding: [{ system: "http://loinc.org", code: "60591-5" }] },
            content: [{ attachment: { contentType: "application/pdf", data, title: "Patient summary" } }],
          },
        },
      ],
    });
    expect(read.pdfs).toEqual([{ title: "Patient summary", data }]);
  });
});

describe("readLinkContent", () => {
  it("reads FHIR files, lists other types and refuses broken JSON", async () => {
    const contents = await readLinkContent([file("application/fhir+json", immunizations), file("application/pdf", "x"), file(undefined, ips)], noFetch);
    expect(contents.map((content) => content.kind)).toEqual(["bundle", "other", "bundle"]);
    await expect(readLinkContent([file("application/fhir+json", "{not json")], noFetch)).rejects.toMatchObject({ code: "bad-content" });
    await expect(readLinkContent([file("application/fhir+json", { resourceType: "Patient" })], noFetch)).rejects.toMatchObject({ code: "bad-content" });
    await expect(readLinkContent([file("application/smart-health-card", { verifiableCredential: "x" })], noFetch)).rejects.toMatchObject({
      code: "bad-content",
    });
  });

  it("one collection of every Bundle for the import", async () => {
    const contents = await readLinkContent([file("application/fhir+json", immunizations), file("application/fhir+json", ips)], noFetch);
    const merged = importableBundle(contents) as { entry: unknown[] };
    expect(merged.entry).toHaveLength(immunizations.entry.length + ips.entry.length);
    expect(importableBundle(contents.slice(0, 1))).toEqual(immunizations);
    expect(importableBundle([])).toBeNull();
  });

  describe("SMART Health Cards (issued by kill-the-clipboard)", () => {
    async function issued() {
      const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
      const jwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(jwk);
      const card = await new SHCIssuer({ issuer: issuerUrl, privateKey, publicKey }).issue(immunizations as never);
      return {
        content: JSON.parse(await card.asFileContent()) as { verifiableCredential: string[] },
        jwks: { keys: [{ ...jwk, kid, alg: "ES256", use: "sig" }] },
      };
    }
    const serving =
      (jwks: unknown, seen: string[] = []): Fetcher =>
      async (url) => {
        seen.push(url);
        return Response.json(jwks);
      };

    it("verifies a card against the issuer's published keys", async () => {
      const { content, jwks } = await issued();
      const seen: string[] = [];
      const [card] = await readLinkContent([file("application/smart-health-card", content)], serving(jwks, seen));
      expect(seen).toEqual([`${issuerUrl}/.well-known/jwks.json`]);
      expect(card).toMatchObject({ kind: "health-card", issuer: issuerUrl, signature: "verified" });
      expect(card?.kind === "health-card" && card.bundle?.records.map((record) => record.document.kind)).toEqual([
        "immunization",
        "immunization",
        "immunization",
      ]);
    });

    it("says the signature does not match for an altered card or another issuer's key", async () => {
      const { content, jwks } = await issued();
      const other = await issued();
      const [header, payload, signature] = content.verifiableCredential[0]!.split(".");
      const flipped = fromBase64url(signature!);
      flipped[5]! ^= 1;
      const altered = { verifiableCredential: [`${header}.${payload}.${toBase64url(flipped)}`] };
      expect((await readLinkContent([file("application/smart-health-card", altered)], serving(jwks)))[0]).toMatchObject({ signature: "mismatch" });
      expect((await readLinkContent([file("application/smart-health-card", content)], serving(other.jwks)))[0]).toMatchObject({ signature: "mismatch" });
    });

    it("says it could not check when the issuer's keys are unreachable or unreadable", async () => {
      const { content } = await issued();
      expect((await readLinkContent([file("application/smart-health-card", content)], noFetch))[0]).toMatchObject({ signature: "unchecked" });
      const notFound: Fetcher = async () => new Response("", { status: 404 });
      expect((await readLinkContent([file("application/smart-health-card", content)], notFound))[0]).toMatchObject({ signature: "unchecked" });
      expect((await readLinkContent([file("application/smart-health-card", content)], serving("not keys")))[0]).toMatchObject({ signature: "unchecked" });
    });
  });
});
