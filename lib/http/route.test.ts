import { describe, expect, it, vi } from "vitest";
import { NextResponse } from "next/server";
import { z } from "zod";
import { toBase64url } from "@/crypto";
import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import * as log from "@/lib/log";
import { apiClientHeader } from "@/contract/api-client-header";
import { bodyLimits } from "@/contract/body-limits";
import { defineRoute } from "@/contract/route";
import { JsonText } from "./json-text";
import { handle, parseJsonBody, readBinaryBody, route } from "./route";

/** What the app's own pages send (Fetch Metadata, and Origin on a write): the route wrapper refuses an API request without them. */
const fromApp = { "sec-fetch-site": "same-origin", origin: config().appOrigin };

const schema = z.object({ name: z.string().min(1).max(20), count: z.number().int() });

/** A request as Next hands it to a route: with the Content-Length its client declared. */
function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = { "content-type": "application/json" }) {
  const length = typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
  return new Request("http://localhost:3000/api/test", { method: "POST", body, headers: { ...fromApp, ...headers, "content-length": String(length) } });
}

/** A request whose body streams in pieces with no Content-Length (chunked): `bytes` bytes of "x", or `text`. */
function chunked(bytes: number, text?: string) {
  const data = text === undefined ? new Uint8Array(bytes).fill(0x78) : new TextEncoder().encode(text);
  return new Request("http://localhost:3000/api/test", {
    method: "POST",
    headers: { ...fromApp, "content-type": "application/json" },
    body: new ReadableStream({
      start(controller) {
        for (let offset = 0; offset < data.byteLength; offset += 4096) controller.enqueue(data.slice(offset, offset + 4096));
        controller.close();
      },
    }),
    duplex: "half",
  } as RequestInit);
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("parseJsonBody", () => {
  it("returns the validated body", async () => {
    expect(await parseJsonBody(post('{"name":"a","count":2}'), schema)).toEqual({ name: "a", count: 2 });
  });

  it("refuses malformed JSON with invalid-json", async () => {
    expect((await failureOf(parseJsonBody(post("{nope"), schema))).code).toBe("invalid-json");
  });

  it("refuses bytes that are not UTF-8", async () => {
    expect((await failureOf(parseJsonBody(post(new Uint8Array([0x22, 0xff, 0x22])), schema))).code).toBe("invalid-json");
  });

  it("refuses the wrong types with the failing fields named", async () => {
    const error = await failureOf(parseJsonBody(post('{"name":"","count":"2"}'), schema));
    expect(error.code).toBe("invalid-input");
    expect(error.details.fields?.map((field) => field.path).sort()).toEqual(["count", "name"]);
  });

  it("refuses a body over the route's declared limit before reading it, and stops reading an undeclared one at the limit", async () => {
    const big = JSON.stringify({ name: "a", count: 1, pad: "x".repeat(bodyLimits.cspReport) });
    let ran = false;
    const handler = route(
      async (request) => {
        ran = true;
        return NextResponse.json(await parseJsonBody(request, schema));
      },
      { bodyLimit: bodyLimits.cspReport },
    );
    const declared = await handler(post(big), {});
    expect(declared.status).toBe(413);
    expect(ran).toBe(false);
    const body = await declared.json();
    expect(body.error).toEqual({
      code: "payload-too-large",
      message: "The request body is larger than the 16 KiB (16384 bytes) this request accepts.",
      limitBytes: 16384,
    });
    const streamed = await handler(chunked(0, big), {});
    expect(streamed.status).toBe(413);
    expect((await streamed.json()).error.limitBytes).toBe(16384);
    // Within its limit the same route reads the body; a route that declares nothing allows 64 KiB.
    expect((await handler(post('{"name":"a","count":2}'), {})).status).toBe(200);
    expect((await route(async () => new NextResponse(null, { status: 204 }))(post("x".repeat(bodyLimits.standard + 1)), {})).status).toBe(413);
  });

  it("refuses an oversized body even on a route that reads none", async () => {
    const response = await route(async () => new NextResponse(null, { status: 204 }))(post("x".repeat(70_000)), {});
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toContain("64 KiB");
  });

  it("refuses an oversized body sent without a length on a route that reads none, before the handler acts", async () => {
    let ran = 0;
    const bodyless = route(async () => {
      ran++;
      return new NextResponse(null, { status: 204 });
    });
    const over = await bodyless(chunked(bodyLimits.standard + 1), {});
    expect(over.status).toBe(413);
    expect((await over.json()).error).toEqual({
      code: "payload-too-large",
      message: "The request body is larger than the 64 KiB (65536 bytes) this request accepts.",
      limitBytes: 65536,
    });
    expect(ran).toBe(0);
    // Its own limit, not the standard one, when the route declares one.
    expect(
      (await route(async () => new NextResponse(null, { status: 204 }), { bodyLimit: bodyLimits.cspReport })(chunked(bodyLimits.cspReport + 1), {})).status,
    ).toBe(413);
    // At the limit, and with no body at all, the handler runs.
    expect((await bodyless(chunked(bodyLimits.standard), {})).status).toBe(204);
    expect((await bodyless(new Request("http://localhost:3000/api/test", { method: "POST", headers: fromApp }), {})).status).toBe(204);
    expect(ran).toBe(2);
  });

  it("hands a body read ahead (sent without a length) to the route's reader", async () => {
    const handler = route(async (request) => NextResponse.json(await parseJsonBody(request, schema)));
    const response = await handler(chunked(0, '{"name":"a","count":2}'), {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: "a", count: 2 });
  });

  it("refuses a body that is not declared as JSON", async () => {
    const error = await failureOf(parseJsonBody(post("{}", { "content-type": "text/plain" }), schema));
    expect(error.code).toBe("unsupported-media-type");
  });
});

describe("readBinaryBody", () => {
  /** `data` streamed in pieces of `piece` bytes, declaring `declared` as its Content-Length. */
  const streamed = (data: Uint8Array, piece: number, declared: number) =>
    new Request("http://localhost:3000/api/test", {
      method: "PUT",
      headers: { ...fromApp, "content-type": "application/octet-stream", "content-length": String(declared) },
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < data.byteLength; offset += piece) controller.enqueue(data.slice(offset, offset + piece));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
  const bytes = (length: number) => new Uint8Array(length).map((_, index) => (index * 31 + 7) & 0xff);

  it("returns the body's bytes in order, whatever the pieces it arrived in", async () => {
    const data = bytes(60_003);
    for (const piece of [1_000, 4_096, 16_384, 60_003]) expect(await readBinaryBody(streamed(data, piece, data.byteLength))).toEqual(data);
  });

  it("returns exactly what arrived when it differs from the declared length", async () => {
    const data = bytes(10_000);
    expect(await readBinaryBody(streamed(data, 3_000, 12_000))).toEqual(data);
    expect(await readBinaryBody(streamed(data, 3_000, 8_500))).toEqual(data);
  });

  it("refuses a body over the limit however long it declared itself", async () => {
    const data = bytes(bodyLimits.standard + 1);
    expect((await failureOf(readBinaryBody(streamed(data, 65_536, 1_000)))).code).toBe("payload-too-large");
  });
});

describe("route", () => {
  const request = new Request("http://localhost:3000/api/thing", { headers: fromApp });

  // The first request after a (re)start may reach a service that never awaited the library
  // itself (reading a vault, auditing a sign-in); it must not fail for that.
  it("runs every handler with the cryptography library ready, the first request after a start too", async () => {
    const handler = route(async () => NextResponse.json({ encoded: toBase64url(new Uint8Array([251, 255])) }));
    const response = await handler(request, {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ encoded: "-_8" });
  });

  it("maps an AppError to its status and code", async () => {
    const handler = route(async () => {
      throw new AppError("not-found", "No such thing.");
    });
    const response = await handler(request, {});
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not-found", message: "No such thing." } });
  });

  it("sends Retry-After with a rate limit", async () => {
    const handler = route(async () => {
      throw new AppError("rate-limited", "Too many attempts.", { retryAfterSeconds: 12.2 });
    });
    const response = await handler(request, {});
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("13");
  });

  it("caps the failing fields an error names, so a small invalid body never draws a large answer", async () => {
    const batch = z.object({ records: z.array(z.object({ id: z.uuid(), content: z.string() })) });
    // About 20 KB of records, each wrong in both fields: thousands of issues.
    const body = JSON.stringify({ records: Array.from({ length: 1100 }, () => ({ id: 1, content: 2 })) });
    expect(body.length).toBeLessThan(25_000);
    const handler = route(async (request) => NextResponse.json(await parseJsonBody(request, batch)));
    const response = await handler(post(body), {});
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text.length).toBeLessThan(10_000);
    const { error } = JSON.parse(text);
    expect(error.fields).toHaveLength(20);
    expect(error.message).toBe("Some of the data sent is not valid. (2200 problems; the first 20 are listed.)");
    const long = new AppError("invalid-input", "Bad.", { fields: [{ path: "p".repeat(5000), message: "m".repeat(5000) }] });
    const capped = await (await route(async () => Promise.reject(long))(request, {})).json();
    expect(capped.error.fields[0].path.length).toBeLessThanOrEqual(200);
    expect(capped.error.fields[0].message.length).toBeLessThanOrEqual(200);
  });

  it("turns an unknown error into a generic 500 and logs the detail instead", async () => {
    const logged = vi.spyOn(log, "logUnexpected").mockImplementation(() => undefined);
    const handler = route(async () => {
      throw new Error("connection to db-internal-host:5432 failed for secret-canary");
    });
    const response = await handler(request, {});
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text).error.code).toBe("internal");
    expect(text).not.toContain("secret-canary");
    expect(text).not.toContain("db-internal-host");
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });
});

describe("route: only the app's own pages (the proxy does not run for the API)", () => {
  const app = config().appOrigin;
  let ran = 0;
  const handler = route(async () => {
    ran += 1;
    return new NextResponse(null, { status: 204 });
  });
  const answer = async (method: string, path: string, headers: Record<string, string>) => {
    const before = ran;
    const response = await handler(new Request(`${app}${path}`, { method, headers }), {});
    return { status: response.status, ran: ran > before, body: response.status === 403 ? await response.json() : null };
  };
  const refused = { status: 403, ran: false, body: { error: { code: "cross-origin-refused", message: expect.any(String) } } };
  const served = { status: 204, ran: true, body: null };

  it("refuses a read from another site, a sibling site or the address bar before the handler runs", async () => {
    for (const site of ["cross-site", "same-site", "none"]) expect(await answer("GET", "/api/records", { "sec-fetch-site": site }), site).toEqual(refused);
    // Without Fetch Metadata (an older browser, a script) only the app's client header lets a request through.
    expect(await answer("GET", "/api/records", {})).toEqual(refused);
    expect(await answer("GET", "/api/records", { [apiClientHeader.name]: apiClientHeader.value })).toEqual(served);
    expect(await answer("GET", "/api/records", { "sec-fetch-site": "same-origin" })).toEqual(served);
    // An encoded spelling of /api is judged as /api.
    expect(await answer("GET", "/%61pi/records", { "sec-fetch-site": "cross-site" })).toEqual(refused);
  });

  it("refuses a write that does not carry the app's Origin, even from the app's own site", async () => {
    for (const origin of ["https://evil.example", "null", ""]) {
      const headers: Record<string, string> = { "sec-fetch-site": "same-origin", ...(origin ? { origin } : {}) };
      for (const method of ["POST", "PUT", "PATCH", "DELETE"])
        expect(await answer(method, "/api/records", headers), `${method} from ${origin || "no origin"}`).toEqual(refused);
    }
    expect(await answer("POST", "/api/records", { [apiClientHeader.name]: apiClientHeader.value })).toEqual(refused);
    expect(await answer("POST", "/api/records", { "sec-fetch-site": "same-origin", origin: app })).toEqual(served);
  });

  it("lets any site call the SMART Health Link routes, and browsers send CSP reports without an Origin", async () => {
    expect(await answer("POST", "/api/shl/abc", { "sec-fetch-site": "cross-site", origin: "https://viewer.example" })).toEqual(served);
    expect(await answer("GET", "/api/shl/files/abc", { "sec-fetch-site": "cross-site" })).toEqual(served);
    expect(await answer("POST", "/api/csp-reports", { "sec-fetch-site": "same-origin" })).toEqual(served);
  });
});

describe("handle: a route bound to its contract", () => {
  const thing = defineRoute({
    method: "POST",
    path: "/api/things/[id]",
    access: "session",
    params: z.object({ id: z.uuid() }),
    query: z.object({ dry: z.enum(["yes", "no"]).optional() }),
    body: schema,
    status: 201,
    response: z.object({ id: z.uuid(), name: z.string() }),
  });
  const id = "5b0a5d44-1c3c-4a55-8a6c-3f0fd2a7d2b1";
  const context = (params: Record<string, string>) => ({ params: Promise.resolve(params) });
  const request = (url: string, body: unknown) =>
    new Request(url, { method: "POST", body: JSON.stringify(body), headers: { ...fromApp, "content-type": "application/json" } });

  it("parses params, query and body, and sends only what the contract declares", async () => {
    const handler = handle(
      thing,
      async ({ params, query, body }) => ({ id: params.id, name: `${body.name}:${query.dry ?? "-"}`, secret: "never sent" }) as never,
    );
    const response = await handler(request(`http://localhost/api/things/${id}?dry=yes`, { name: "a", count: 1 }), context({ id }));
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ id, name: "a:yes" });
  });

  it("refuses parameters outside the contract with 400 before the handler runs", async () => {
    const ran = vi.fn();
    const handler = handle(thing, async () => {
      ran();
      return { id, name: "x" };
    });
    for (const [url, params, body] of [
      [`http://localhost/api/things/nope`, { id: "nope" }, { name: "a", count: 1 }],
      [`http://localhost/api/things/${id}?dry=maybe`, { id }, { name: "a", count: 1 }],
      [`http://localhost/api/things/${id}`, { id }, { name: "a", count: 1.5 }],
    ] as const) {
      const response = await handler(request(url, body), context(params));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid-input");
    }
    expect(ran).not.toHaveBeenCalled();
  });

  it("answers 500, logging the failing path only, when the server's own value breaks its contract", async () => {
    const logged = vi.spyOn(log, "logUnexpected").mockImplementation(() => undefined);
    const handler = handle(thing, async () => ({ id: "not-a-uuid", name: "Jane Example" }));
    const response = await handler(request(`http://localhost/api/things/${id}`, { name: "a", count: 1 }), context({ id }));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("Jane");
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/answered outside its contract at id/);
    expect(String(logged.mock.calls[0]?.[0])).not.toContain("Jane");
    logged.mockRestore();
  });

  it("sends a JsonText as it is, with the route's status and JSON headers, without the schema's check", async () => {
    const text = '{"id" : "' + id + '", "name" : "as the database wrote it"}';
    const handler = handle(thing, async () => new JsonText(text));
    const response = await handler(request(`http://localhost/api/things/${id}`, { name: "a", count: 1 }), context({ id }));
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe(text);
  });

  it("answers 500 when a route without a JSON answer is handed a JsonText (a server bug)", async () => {
    const logged = vi.spyOn(log, "logUnexpected").mockImplementation(() => undefined);
    const empty = defineRoute({ method: "DELETE", path: "/api/things/[id]", access: "session", response: "empty" });
    const handler = handle(empty, async () => new JsonText("{}") as never);
    const response = await handler(new Request(`http://localhost/api/things/${id}`, { method: "DELETE", headers: fromApp }), context({ id }));
    expect(response.status).toBe(500);
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/answers no JSON/);
    logged.mockRestore();
  });
});
