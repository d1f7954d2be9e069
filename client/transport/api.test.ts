import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineRoute } from "@/contract/route";
import { routes } from "@/contract/routes";
import { isIntegrityError } from "../integrity";
import { ApiError, httpTransport, retryAfterOf, retryDelayMs, retryTransient } from "./api";
import { fakeTransport } from "./fake-transport";

const storage = { usedBytes: 10, fileBytes: 4, recordBytes: 6, quotaBytes: 5_000_000_000, unfinishedUploads: 0, unfinishedUploadsMax: 5 };
const answer = (body: unknown, init: ResponseInit = {}) => vi.fn(async () => new Response(typeof body === "string" ? body : JSON.stringify(body), init));

afterEach(() => vi.unstubAllGlobals());

describe("httpTransport", () => {
  it("parses an answer in the route's shape, sending the client header", async () => {
    const fetch = answer(storage);
    vi.stubGlobal("fetch", fetch);
    await expect(httpTransport.call(routes.security.storage, {})).resolves.toEqual(storage);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/me/storage");
    expect((init.headers as Record<string, string>)["x-hsc-client"]).toBe("1");
  });

  it("asks for a first page at the route's plain path, and puts only defined query values in the URL", async () => {
    const page = { records: [], nextCursor: null, total: 0 };
    for (const [query, expected] of [
      [{}, "/api/records"],
      [{ cursor: undefined, limit: undefined }, "/api/records"],
      [{ limit: 50 }, "/api/records?limit=50"],
      [{ limit: 50, cursor: "a b" }, "/api/records?limit=50&cursor=a+b"],
    ] as const) {
      const fetch = answer(page);
      vi.stubGlobal("fetch", fetch);
      await httpTransport.call(routes.records.list, { query });
      expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe(expected);
    }
  });

  it("reports an answer outside the contract as an integrity failure, never a TypeError later", async () => {
    for (const body of [{ ...storage, usedBytes: "10" }, { usedBytes: 10 }, "not json", "null"]) {
      vi.stubGlobal("fetch", answer(body));
      const error = await httpTransport.call(routes.security.storage, {}).catch((caught: unknown) => caught);
      expect(isIntegrityError(error) && error.code).toBe("shape");
    }
  });

  it("reports a body cut off in transit as a dropped connection", async () => {
    const broken = new Response(new ReadableStream({ pull: (controller) => controller.error(new TypeError("terminated")) }));
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => broken),
    );
    const error = await httpTransport.call(routes.security.storage, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(0);
  });

  it("fills path parameters and search parameters", async () => {
    const route = defineRoute({
      method: "GET",
      path: "/api/things/[id]",
      access: "session",
      params: z.object({ id: z.string() }),
      query: z.object({ q: z.string() }),
      response: z.object({}),
    });
    const fetch = answer({});
    vi.stubGlobal("fetch", fetch);
    await httpTransport.call(route, { params: { id: "a/b" }, query: { q: "x y" } });
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe("/api/things/a%2Fb?q=x+y");
  });

  it("gives an error answer's code, message and Retry-After", async () => {
    vi.stubGlobal("fetch", answer({ error: { code: "rate-limited", message: "Try again in 2 minutes." } }, { status: 429, headers: { "retry-after": "120" } }));
    const error = (await httpTransport.call(routes.security.storage, {}).catch((caught: unknown) => caught)) as ApiError;
    expect([error.status, error.code, error.message, error.retryAfterMs]).toEqual([429, "rate-limited", "Try again in 2 minutes.", 120_000]);
  });
});

describe("retries", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    expect(retryAfterOf(new Response(null, { headers: { "retry-after": "7" } }), now)).toBe(7000);
    expect(retryAfterOf(new Response(null, { headers: { "retry-after": "Mon, 30 Nov 2026 12:00:30 GMT" } }), now)).toBe(30_000);
    expect(retryAfterOf(new Response(null, { headers: { "retry-after": "soon" } }), now)).toBeUndefined();
    expect(retryAfterOf(new Response(null), now)).toBeUndefined();
  });

  it("waits what the server asked, plus at most a fifth more, and backs off with jitter otherwise", () => {
    const limited = new ApiError(429, "rate-limited", "", [], 5000);
    expect(retryDelayMs(0, limited, () => 0)).toBe(5000);
    expect(retryDelayMs(0, limited, () => 0.999)).toBeCloseTo(5999, 0);
    const dropped = new ApiError(0, "network", "");
    expect(retryDelayMs(0, dropped, () => 0)).toBe(250);
    expect(retryDelayMs(10, dropped, () => 0.999)).toBeLessThanOrEqual(8000);
    expect(retryDelayMs(10, dropped, () => 0)).toBe(4000);
  });

  it("retries only the server's transient answers; a bug or an integrity failure is thrown at once", async () => {
    const bug = new TypeError("x is undefined");
    const send = vi.fn(async () => {
      throw bug;
    });
    await expect(retryTransient(send)).rejects.toBe(bug);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("does not wait out a Retry-After longer than a minute", async () => {
    const limited = new ApiError(429, "rate-limited", "Try again in 9 minutes.", [], 540_000);
    const send = vi.fn(async () => {
      throw limited;
    });
    await expect(retryTransient(send)).rejects.toBe(limited);
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe("fakeTransport", () => {
  it("answers through the contract, as the server and the browser do", async () => {
    const transport = fakeTransport().on(routes.security.storage, () => ({ ...storage, secret: "dropped by the contract" }) as typeof storage);
    await expect(transport.call(routes.security.storage, {})).resolves.toEqual(storage);
    expect(transport.callsTo(routes.security.storage)).toHaveLength(1);
  });

  it("refuses to answer a route it was not given", async () => {
    await expect(fakeTransport().call(routes.security.storage, {})).rejects.toThrow(/no answer/);
  });
});
