import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, generateFileKey } from "./index";
import { rawSecretstreamEncrypt, rawSecretstreamPuller, rawSecretstreamPusher } from "./raw-secretstream-baseline";

beforeAll(() => cryptoReady());

describe("raw secretstream baseline (benchmarks only)", () => {
  it("pulls back what was pushed, chunk by chunk, and counts the same bytes as the one-call push", () => {
    const key = generateFileKey();
    const chunks = [new Uint8Array(1000).fill(1), new Uint8Array(10).fill(2)];
    const pusher = rawSecretstreamPusher(key);
    const sealed = chunks.map((chunk, index) => pusher.push(chunk, index === chunks.length - 1));
    expect(sealed.reduce((sum, chunk) => sum + chunk.length, 0)).toBe(rawSecretstreamEncrypt(key, chunks));
    const puller = rawSecretstreamPuller(key, pusher.header);
    expect(sealed.map((chunk) => puller.pull(chunk))).toEqual(chunks);
  });

  it("refuses an altered chunk with authentication-failed", () => {
    const key = generateFileKey();
    const pusher = rawSecretstreamPusher(key);
    const sealed = pusher.push(new Uint8Array(64), true);
    sealed[20]! ^= 1;
    expect(() => rawSecretstreamPuller(key, pusher.header).pull(sealed)).toThrow(
      expect.objectContaining({ name: "CryptoError", code: "authentication-failed" }),
    );
  });
});
