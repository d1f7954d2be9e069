import { describe, expect, it } from "vitest";
import { deviceWrapAssociatedData } from "./device-wrap";
import { expectCryptoError } from "./test-helpers";

const userId = "7f0c4d2e-1b3a-4c5d-8e9f-0a1b2c3d4e5f";
const deviceId = "0b6f0a52-93c1-4c0e-9d7a-2f1e3d4c5b6a";

describe("deviceWrapAssociatedData", () => {
  it("gives exactly the bytes device wraps were stored with (known answer, from Python)", () => {
    // ("hsc/v1/device-wrap\0" + userId + "\0" + deviceId).encode() in Python.
    const expected =
      "6873632f76312f6465766963652d777261700037663063346432652d316233612d346335642d386539662d3061316232633364346535660030623666306135322d393363312d346330652d396437612d326631653364346335623661";
    expect(Buffer.from(deviceWrapAssociatedData({ userId, deviceId })).toString("hex")).toBe(expected);
  });

  it("keeps user and device apart", () => {
    const a = deviceWrapAssociatedData({ userId, deviceId });
    const b = deviceWrapAssociatedData({ userId: deviceId, deviceId: userId });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it.each([
    ["a NUL in the user id", { userId: "a\u0000b", deviceId }],
    ["a NUL in the device id", { userId, deviceId: "x\u0000" }],
    ["an empty user id", { userId: "", deviceId }],
  ])("refuses %s", (_name, context) => {
    expectCryptoError(() => deviceWrapAssociatedData(context), "invalid-argument");
  });
});
