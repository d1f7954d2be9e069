import { RequestCookies } from "next/dist/compiled/@edge-runtime/cookies";
import { describe, expect, it } from "vitest";
import { sessionTokenOf } from "./cookies";
import { sessionCookieName } from "./session-store";

/** What Next's cookies() answers for the same header (the parser it uses). */
const viaNext = (header: string) => new RequestCookies(new Headers({ cookie: header })).get(sessionCookieName)?.value;

describe("sessionTokenOf", () => {
  const name = sessionCookieName;
  const headers = [
    `${name}=abc_DEF-123`,
    `other=1; ${name}=tok; third=x`,
    `${name}=first; ${name}=second`,
    `${name}=one;${name}=two`,
    `${name}=a%20b`,
    `${name}=good; ${name}=%E0%A4%A`,
    `${name}`,
    `${name}=`,
    `x${name}=no; ${name}x=no`,
    `other=1`,
    `; ;${name}=v;;`,
    `${name}=with=equals`,
  ];
  it.each(headers)("reads %j as Next's cookies() does", (header) => {
    expect(sessionTokenOf(new Headers({ cookie: header }))).toBe(viaNext(header));
  });

  it("is undefined without a Cookie header", () => {
    expect(sessionTokenOf(new Headers())).toBeUndefined();
  });
});
