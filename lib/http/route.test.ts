import { describe, expect, it, vi } from "vitest";
import { NextResponse } from "next/server";
import { z } from "zod";
import { toBase64url } from "@/crypto";
import { AppError } from "@/lib/errors";
import * as log from "@/lib/log";
import { parseJsonBody, route } from "./route";

const schema = z.object({ name: z.string().min(1).max(20), count: z.number().int() });

function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = { "content-type": "application/json" }) {
  return new Request("http://localhost:3000/api/test", { method: "POST", body, headers });
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

  it("refuses a body over the limit, declared or not", async () => {
    const big = JSON.stringify({ name: "a", count: 1, pad: "x".repeat(2000) });
    expect((await failureOf(parseJsonBody(post(big), schema, 1000))).code).toBe("payload-too-large");
    const undeclared = new Request("http://localhost:3000/api/test", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect((await failureOf(parseJsonBody(undeclared, schema, 1000))).code).toBe("payload-too-large");
  });

  it("refuses a body that is not declared as JSON", async () => {
    const error = await failureOf(parseJsonBody(post("{}", { "content-type": "text/plain" }), schema));
    expect(error.code).toBe("unsupported-media-type");
  });
});

describe("route", () => {
  const request = new Request("http://localhost:3000/api/thing");

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
