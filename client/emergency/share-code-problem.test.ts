import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, shareCode } from "@/crypto";
import { shareCodeProblem } from "./emergency-contacts";

const me = "11111111-2222-4333-8444-555555555555";
const them = "66666666-7777-4888-9999-aaaaaaaaaaaa";

describe("a share code typed to name an emergency contact", () => {
  beforeAll(cryptoReady);

  it("says a typo is not a share code, and one's own code is one's own, before the server is asked", () => {
    const identity = new Uint8Array(randomBytes(32));
    expect(shareCodeProblem("hsc1.garbage", me)).toMatch(/^That is not a share code/);
    expect(shareCodeProblem("", me)).toMatch(/^That is not a share code/);
    expect(shareCodeProblem(shareCode(identity, me), me)).toMatch(/^That is your own share code/);
    expect(shareCodeProblem(`  ${shareCode(identity, them)}  `, me)).toBeNull();
  });
});
