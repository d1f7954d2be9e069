import {
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";

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
 * credential carries the PRF output (base64url), so it is never posted as is.
 */
function forServer<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(response: T, prfEnabled?: boolean) {
  return {
    ...response,
    clientExtensionResults: prfEnabled === undefined ? {} : { prf: { enabled: prfEnabled } },
  };
}

export interface CreatedPasskey {
  response: ReturnType<typeof forServer<RegistrationResponseJSON>>;
  credentialId: string;
  prfOutput: Uint8Array | null;
  prfEnabled: boolean;
}

export async function createPasskey(
  options: PublicKeyCredentialCreationOptionsJSON,
  displayName: string,
): Promise<CreatedPasskey> {
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
  return { response: forServer(response, output !== null), credentialId: response.id, prfOutput: output, prfEnabled: output !== null };
}

export interface PasskeyAssertion {
  response: ReturnType<typeof forServer<AuthenticationResponseJSON>>;
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
    response: forServer(response),
    credentialId: response.id,
    prfOutput: prfOutput(response.clientExtensionResults as PrfResults),
  };
}

function base64urlRandom(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
