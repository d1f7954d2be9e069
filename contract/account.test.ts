import { describe, expect, it } from "vitest";
import { maxPrivateBundleBytes } from "@/crypto";
import { sealedBundleMaxBytes } from "./account";
import { routes } from "./routes";
import { authenticationResponseSchema, registrationResponseSchema } from "./webauthn";

const b64 = (length: number) => "A".repeat(length);
const registration = {
  id: b64(22),
  rawId: b64(22),
  type: "public-key",
  response: { clientDataJSON: b64(100), attestationObject: b64(200), transports: ["usb"] },
  clientExtensionResults: { prf: { enabled: true } },
};
const assertion = {
  id: b64(22),
  rawId: b64(22),
  type: "public-key",
  response: { clientDataJSON: b64(100), authenticatorData: b64(50), signature: b64(86) },
  clientExtensionResults: {},
};

describe("the WebAuthn credentials the browser sends", () => {
  it("take a new passkey with only whether PRF is enabled", () => {
    expect(registrationResponseSchema.safeParse(registration).success).toBe(true);
    expect(authenticationResponseSchema.safeParse(assertion).success).toBe(true);
  });

  it("refuse a PRF output, the secret that unlocks the vault, on every route that takes a credential", () => {
    const prfResults = { prf: { enabled: true, results: { first: b64(43) } } };
    expect(registrationResponseSchema.safeParse({ ...registration, clientExtensionResults: prfResults }).success).toBe(false);
    expect(authenticationResponseSchema.safeParse({ ...assertion, clientExtensionResults: prfResults }).success).toBe(false);
    expect(authenticationResponseSchema.safeParse({ ...assertion, clientExtensionResults: { prf: { enabled: true } } }).success).toBe(false);
    const signIn = routes.auth.signInVerify.body.safeParse({ credential: { ...assertion, clientExtensionResults: prfResults } });
    expect(signIn.success).toBe(false);
    const added = routes.security.addPasskey.body.safeParse({
      name: "Work laptop",
      credential: { ...registration, clientExtensionResults: prfResults },
      vaultWrap: { method: "device", methodId: "6f1c1b7e-0000-4000-8000-000000000001", salt: b64(16), wrappedKey: b64(60) },
    });
    expect(added.success).toBe(false);
    expect(added.error?.issues.map((issue) => issue.path.join("."))).toContain("credential.clientExtensionResults.prf");
  });
});

describe("the vault material", () => {
  it("allows the largest sealed bundle crypto/ makes, and no more", () => {
    expect(sealedBundleMaxBytes).toBe(maxPrivateBundleBytes);
  });
});
