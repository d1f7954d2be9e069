import { beforeAll, describe, expect, it, vi } from "vitest";
import details from "@/fixtures/shl/IPS_IG-bundle-01-shl-details.json";
import { cryptoReady, encodeShlink, encryptShlFile, fromUtf8, newShlKey, type ShlinkPayload } from "@/crypto";
import { ShlOpenError, type ShlOpenCode } from "./open-errors";
import { openLinkFiles, readLink, type Fetcher } from "./open-fetch";

beforeAll(cryptoReady);

const now = Date.UTC(2026, 10, 30, 12);
const key = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q";
const bundle = '{"resourceType":"Bundle","type":"collection","entry":[]}';

interface Seen {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a table and records what it was asked. */
function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>): { fetcher: Fetcher; seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    fetcher: async (url, init) => {
      seen.push({ url, init });
      return answer(url, init);
    },
  };
}

async function expectOpenError(run: Promise<unknown>, code: ShlOpenCode): Promise<ShlOpenError> {
  const caught = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ShlOpenError);
  expect((caught as ShlOpenError).code).toBe(code);
  return caught as ShlOpenError;
}

describe("readLink", () => {
  it("reads the IG's viewer link and a bare link", async () => {
    expect(await readLink(details.shlinkBare, now)).toEqual(details.shlinkJsonPayload);
    expect(await readLink(details.shlink, now)).toEqual(details.shlinkJsonPayload);
  });

  it("refuses text that is not a link, with the format's own words", async () => {
    const error = await expectOpenError(readLink("https://example.org/#nothing", now), "bad-link");
    expect(error.message).toMatch(/not a SMART Health Link/);
    await expectOpenError(readLink(encodeShlink({ url: "https://e.example/x", key }).slice(0, 20), now), "bad-link");
  });

  it("says a link has expired without fetching anything", async () => {
    const text = encodeShlink({ url: "https://e.example/x", key, exp: Math.floor(now / 1000) - 1 });
    await expectOpenError(readLink(text, now), "expired");
    expect((await readLink(encodeShlink({ url: "https://e.example/x", key, exp: Math.floor(now / 1000) + 60 }), now)).exp).toBeGreaterThan(0);
  });
});

describe("openLinkFiles", () => {
  it("U: one GET of url?recipient=, no cookies, and the body decrypts", async () => {
    const fileKey = newShlKey();
    const jwe = await encryptShlFile(bundle, fileKey, "application/fhir+json");
    const { fetcher, seen } = fakeFetch(() => new Response(jwe, { headers: { "content-type": "application/jose" } }));
    const files = await openLinkFiles({ url: "https://shl.example/f/abc?x=1", key: fileKey, flag: "U" }, { recipient: "  Dr Ada, Clinic & Co " }, fetcher, now);
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]!.url);
    expect(url.origin + url.pathname).toBe("https://shl.example/f/abc");
    expect(url.searchParams.get("x")).toBe("1");
    expect(url.searchParams.get("recipient")).toBe("Dr Ada, Clinic & Co");
    expect(seen[0]!.init).toMatchObject({ method: "GET", credentials: "omit", referrerPolicy: "no-referrer" });
    expect(fromUtf8(files[0]!.plaintext)).toBe(bundle);
    expect(files[0]!.contentType).toBe("application/fhir+json");
  });

  it("P: POSTs recipient and passcode, then reads embedded and location files", async () => {
    const fileKey = newShlKey();
    const embedded = await encryptShlFile(bundle, fileKey, "application/fhir+json");
    const located = await encryptShlFile('{"verifiableCredential":[]}', fileKey, "application/smart-health-card");
    const { fetcher, seen } = fakeFetch((url) =>
      url === "https://shl.example/m"
        ? Response.json({
            status: "finalized",
            files: [
              { contentType: "application/fhir+json", embedded },
              { contentType: "application/smart-health-card", location: "https://files.example/1" },
            ],
          })
        : new Response(located),
    );
    const files = await openLinkFiles({ url: "https://shl.example/m", key: fileKey, flag: "P" }, { recipient: "Clinic", passcode: "123456" }, fetcher, now);
    expect(seen.map((request) => [request.url, request.init.method])).toEqual([
      ["https://shl.example/m", "POST"],
      ["https://files.example/1", "GET"],
    ]);
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ recipient: "Clinic", passcode: "123456" });
    expect(files.map((file) => file.contentType)).toEqual(["application/fhir+json", "application/smart-health-card"]);
    expect(fromUtf8(files[1]!.plaintext)).toBe('{"verifiableCredential":[]}');
  });

  it("no flag: POSTs the recipient only", async () => {
    const { fetcher, seen } = fakeFetch(() => Response.json({ files: [] }));
    expect(await openLinkFiles({ url: "https://shl.example/m", key }, { recipient: "Clinic", passcode: "ignored" }, fetcher, now)).toEqual([]);
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ recipient: "Clinic" });
  });

  it("asks for what is missing before fetching: an unexpired link, a recipient, a passcode", async () => {
    const fetcher = vi.fn<Fetcher>();
    const link: ShlinkPayload = { url: "https://shl.example/m", key, flag: "P" };
    await expectOpenError(openLinkFiles({ ...link, exp: Math.floor(now / 1000) }, { recipient: "A", passcode: "1" }, fetcher, now), "expired");
    await expectOpenError(openLinkFiles(link, { recipient: "   ", passcode: "1" }, fetcher, now), "recipient-needed");
    await expectOpenError(openLinkFiles(link, { recipient: "x".repeat(201), passcode: "1" }, fetcher, now), "recipient-needed");
    await expectOpenError(openLinkFiles(link, { recipient: "A" }, fetcher, now), "passcode-needed");
    expect(fetcher).not.toHaveBeenCalled();
  });

  it.each<[string, () => Response, ShlOpenCode, number | undefined]>([
    ["401 with attempts left", () => Response.json({ remainingAttempts: 7 }, { status: 401 }), "wrong-passcode", 7],
    ["401 without a body", () => new Response("no", { status: 401 }), "wrong-passcode", undefined],
    ["404", () => new Response("", { status: 404 }), "not-found", undefined],
    ["410", () => new Response("", { status: 410 }), "not-found", undefined],
    ["429", () => new Response("", { status: 429 }), "rate-limited", undefined],
    ["500", () => new Response("", { status: 500 }), "server-error", undefined],
    ["a manifest that is not JSON", () => new Response("<html>"), "bad-manifest", undefined],
    ["a manifest without files", () => Response.json({ list: [] }), "bad-manifest", undefined],
    [
      "a file with both embedded and location",
      () => Response.json({ files: [{ contentType: "a", embedded: "x", location: "https://f.example" }] }),
      "bad-manifest",
      undefined,
    ],
    ["a plain-http location elsewhere", () => Response.json({ files: [{ contentType: "a", location: "http://files.example/1" }] }), "bad-manifest", undefined],
    [
      "an embedded file under another key",
      () => Response.json({ files: [{ contentType: "a", embedded: "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA" }] }),
      "decrypt",
      undefined,
    ],
  ])("a manifest request answered with %s fails as %s", async (_name, answer, code, remaining) => {
    const { fetcher } = fakeFetch(answer);
    const error = await expectOpenError(openLinkFiles({ url: "https://shl.example/m", key, flag: "P" }, { recipient: "A", passcode: "1" }, fetcher, now), code);
    expect(error.remainingAttempts).toBe(remaining);
  });

  it("a 429 with Retry-After says how long to wait (a long-term link slowed for a day after wrong passcodes)", async () => {
    const { fetcher } = fakeFetch(() => new Response("", { status: 429, headers: { "retry-after": "82800" } }));
    const error = await expectOpenError(
      openLinkFiles({ url: "https://shl.example/m", key, flag: "LP" }, { recipient: "A", passcode: "1" }, fetcher, now),
      "rate-limited",
    );
    expect(error.message).toBe("Too many attempts to open this link, or too many wrong passcodes. Try again in 23 hours.");
  });

  it("a U file that is not a JWE, or under another key, fails", async () => {
    await expectOpenError(
      openLinkFiles({ url: "https://shl.example/f", key, flag: "U" }, { recipient: "A" }, fakeFetch(() => new Response("hello")).fetcher, now),
      "bad-manifest",
    );
    const jwe = await encryptShlFile(bundle, newShlKey(), "application/fhir+json");
    await expectOpenError(
      openLinkFiles({ url: "https://shl.example/f", key, flag: "U" }, { recipient: "A" }, fakeFetch(() => new Response(jwe)).fetcher, now),
      "decrypt",
    );
  });

  it("no answer reads as unreachable; a bug is not reworded", async () => {
    const offline: Fetcher = () => Promise.reject(new TypeError("Failed to fetch"));
    await expectOpenError(openLinkFiles({ url: "https://shl.example/f", key, flag: "U" }, { recipient: "A" }, offline, now), "unreachable");
    const buggy: Fetcher = () => Promise.reject(new RangeError("bug"));
    await expect(openLinkFiles({ url: "https://shl.example/f", key, flag: "U" }, { recipient: "A" }, buggy, now)).rejects.toBeInstanceOf(RangeError);
  });
});
