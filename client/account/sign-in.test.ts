import { beforeEach, describe, expect, it, vi } from "vitest";
import { routes } from "@/contract/routes";
import { ApiError } from "../transport/api";
import { fakeTransport } from "../transport/fake-transport";
import type { PasskeyAssertion } from "./passkeys";
import { SignInClaim, SignInSupersededError, signIn } from "./sign-in";

// The browser's WebAuthn ceremony does not exist in Node: each sign-in's passkey answer is
// handed in by the test, when the test says, so that two ceremonies can answer in either order.
const answers: Array<(assertion: PasskeyAssertion) => void> = [];
vi.mock("./passkeys", () => ({
  getPasskeyAssertion: () => new Promise<PasskeyAssertion>((resolve) => answers.push(resolve)),
}));

const assertionOf = (credentialId: string): PasskeyAssertion => ({
  credentialId,
  prfOutput: new Uint8Array(32).fill(7),
  response: {
    id: credentialId,
    rawId: credentialId,
    type: "public-key",
    response: { clientDataJSON: "AAAA", authenticatorData: "AAAA", signature: "AAAA" },
    clientExtensionResults: {},
  },
});

/** A server whose sign-in verification waits until the test lets it answer, and whose vault is unavailable (the sign-in then fails after it). */
function server() {
  let answerVerify!: () => void;
  const verified = new Promise<void>((resolve) => (answerVerify = resolve));
  const transport = fakeTransport()
    .on(routes.auth.signInOptions, () => ({ challenge: "Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2UtMzI", allowCredentials: [], rpId: "localhost" }))
    .on(routes.auth.signInVerify, async () => {
      await verified;
      return { userId: "6f1c2a57-2e0c-4b7e-9a39-1d2f0c8e7b10" };
    })
    .on(routes.vault.get, () => {
      throw new ApiError(503, "unavailable", "The service is unavailable.");
    });
  return { transport, answerVerify };
}

const verifiedCredentials = (transport: ReturnType<typeof server>["transport"]) =>
  transport.callsTo(routes.auth.signInVerify).map((call) => (call.input.body as unknown as { credential: { id: string } }).credential.id);

/** Waits until `count` ceremonies are waiting for a passkey's answer. */
async function ceremonies(count: number) {
  await vi.waitFor(() => expect(answers).toHaveLength(count));
}

describe("signIn with a claim shared by the sign-ins of one page", () => {
  beforeEach(() => {
    answers.length = 0;
  });

  it("sends only the first answered passkey to the server; the second is dropped and its PRF output wiped", async () => {
    const { transport, answerVerify } = server();
    const claim = new SignInClaim();
    const autofill = signIn({ autofill: true, claim }, transport);
    const button = signIn({ claim }, transport);
    await ceremonies(2);
    // The button's passkey answers first; the autofill's a moment later.
    const late = assertionOf("autofill-credential");
    answers[1]!(assertionOf("button-credential"));
    await vi.waitFor(() => expect(transport.callsTo(routes.auth.signInVerify)).toHaveLength(1));
    answers[0]!(late);
    await expect(autofill).rejects.toBeInstanceOf(SignInSupersededError);
    expect(late.prfOutput!.every((byte) => byte === 0)).toBe(true);
    answerVerify();
    await expect(button).rejects.toMatchObject({ status: 503 });
    expect(verifiedCredentials(transport)).toEqual(["button-credential"]);
  });

  it("gives the claim back when the sign-in holding it fails, so that the person can try again", async () => {
    const { transport, answerVerify } = server();
    answerVerify();
    const claim = new SignInClaim();
    const first = signIn({ claim }, transport);
    await ceremonies(1);
    answers[0]!(assertionOf("first-try"));
    await expect(first).rejects.toMatchObject({ status: 503 });
    const second = signIn({ claim }, transport);
    await ceremonies(2);
    answers[1]!(assertionOf("second-try"));
    await expect(second).rejects.toMatchObject({ status: 503 });
    expect(verifiedCredentials(transport)).toEqual(["first-try", "second-try"]);
  });

  it("is taken once until it is given back", () => {
    const claim = new SignInClaim();
    expect(claim.take()).toBe(true);
    expect(claim.take()).toBe(false);
    claim.release();
    expect(claim.take()).toBe(true);
  });
});
