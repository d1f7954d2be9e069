import {
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";
import type { AuthenticationResponse, RegistrationResponse } from "@/contract/webauthn";
import { cryptoReady, toBase64url } from "@/crypto";

/**
 * The PRF input is the same for every credential so that usernameless sign-in can ask
 * for it before knowing which passkey will answer; the per-credential salt goes into
 * HKDF instead (see crypto/ deriveKeyEncryptionKey).
 */
const prfInput = new TextEncoder().encode("health-safe-cloud/vault-unlock/v1");

type PrfResults = { prf?: { enabled?: boolean; results?: { first?: BufferSource } } };

function prfOutput(results: PrfResults): Uint8Array | null {
  const first = results.prf?.results?.first;
  if (!first) return null;
  return first instanceof ArrayBuffer ? new Uint8Array(first) : new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
}

/**
 * What may be sent to the server: the signed WebAuthn response with its client extension
 * results replaced by the PRF "enabled" flag alone. The browser's own JSON form of a
 * credential carries the PRF output (base64url), so it is never posted as is (and the
 * contract's schemas, contract/webauthn.ts, refuse it).
 */
function registrationForServer(response: RegistrationResponseJSON, prfEnabled: boolean): RegistrationResponse {
  return { ...response, clientExtensionResults: { prf: { enabled: prfEnabled } } };
}

export function assertionForServer(response: AuthenticationResponseJSON): AuthenticationResponse {
  return { ...response, clientExtensionResults: {} };
}

export interface CreatedPasskey {
  response: RegistrationResponse;
  credentialId: string;
  prfOutput: Uint8Array | null;
  prfEnabled: boolean;
  /** What to call it if the server does not know its authenticator's model (describeNewPasskey). */
  description: string;
}

export async function createPasskey(options: PublicKeyCredentialCreationOptionsJSON, displayName: string): Promise<CreatedPasskey> {
  const optionsJSON = {
    ...options,
    // The name the authenticator shows is set here, in the browser: the server never sees it.
    user: { ...options.user, name: displayName, displayName },
    extensions: { ...options.extensions, prf: { eval: { first: prfInput } } },
  } as PublicKeyCredentialCreationOptionsJSON;
  const response = await startRegistration({ optionsJSON });
  const results = response.clientExtensionResults as PrfResults;
  let output = prfOutput(results);
  const prfEnabled = results.prf?.enabled === true || output !== null;
  if (prfEnabled && !output) {
    // Many authenticators evaluate PRF only on assertion: ask the new passkey once more.
    await cryptoReady();
    const assertion = await startAuthentication({
      optionsJSON: {
        challenge: base64urlRandom(32),
        rpId: options.rp.id,
        allowCredentials: [{ id: response.id, type: "public-key" }],
        userVerification: "required",
        extensions: { prf: { eval: { first: prfInput } } } as never,
      },
    });
    output = prfOutput(assertion.clientExtensionResults as PrfResults);
  }
  return {
    response: registrationForServer(response, output !== null),
    credentialId: response.id,
    prfOutput: output,
    prfEnabled: output !== null,
    description: describeNewPasskey(response),
  };
}

export interface PasskeyAssertion {
  response: AuthenticationResponse;
  credentialId: string;
  prfOutput: Uint8Array | null;
}

export async function getPasskeyAssertion(
  options: PublicKeyCredentialRequestOptionsJSON,
  { autofill = false }: { autofill?: boolean } = {},
): Promise<PasskeyAssertion> {
  const optionsJSON = { ...options, extensions: { ...options.extensions, prf: { eval: { first: prfInput } } } as never };
  const response = await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
  return {
    response: assertionForServer(response),
    credentialId: response.id,
    prfOutput: prfOutput(response.clientExtensionResults as PrfResults),
  };
}

/** A random challenge for an assertion the browser checks itself (the server never sees it). Needs cryptoReady(). */
function base64urlRandom(length: number): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(length)));
}

/**
 * A description of a new passkey for when its authenticator's model is unknown (the
 * server prefers the model's name from the AAGUID): a security key or a phone when the
 * browser says the authenticator is a separate device, otherwise the browser and system
 * it was made in, e.g. "Chrome on Linux".
 */
export function describeNewPasskey(response: Pick<RegistrationResponseJSON, "authenticatorAttachment" | "response">): string {
  const transports = response.response.transports ?? [];
  if (response.authenticatorAttachment === "cross-platform") {
    if (transports.some((transport) => transport === "usb" || transport === "nfc" || transport === "ble" || transport === "smart-card")) return "Security key";
    if (transports.includes("hybrid")) return "Phone or tablet";
  }
  return browserAndSystem(navigator.userAgent);
}

/** "Chrome on Linux", "Safari on iOS"…: the browser and operating system a user agent string names. */
export function browserAndSystem(agent: string): string {
  const browser = /Edg\//.test(agent)
    ? "Edge"
    : /Firefox\//.test(agent)
      ? "Firefox"
      : /Chrome\//.test(agent)
        ? "Chrome"
        : /Safari\//.test(agent)
          ? "Safari"
          : "Browser";
  const system = /Android/.test(agent)
    ? "Android"
    : /iPhone|iPad/.test(agent)
      ? "iOS"
      : /Mac OS X/.test(agent)
        ? "macOS"
        : /Windows/.test(agent)
          ? "Windows"
          : /CrOS/.test(agent)
            ? "ChromeOS"
            : /Linux/.test(agent)
              ? "Linux"
              : "this device";
  return `${browser} on ${system}`;
}
