import { startAuthentication, WebAuthnError } from "@simplewebauthn/browser";
import { routes } from "@/contract/routes";
import { ApiError, httpTransport, type Transport } from "../transport/api";
import { assertionForServer } from "./passkeys";

/**
 * The person did not give the passkey tap a sensitive action asked for (they cancelled, the
 * prompt timed out, or no passkey of this account was at hand): nothing was changed.
 */
export class FreshProofNotGivenError extends Error {
  override readonly name = "FreshProofNotGivenError";
  constructor() {
    super("Your passkey did not confirm it is you, so nothing was changed. Try again and use a passkey of this account.");
  }
}

/**
 * Asks for one passkey tap with user verification and sends the assertion for the server to
 * record on this session (lib/auth/fresh-proof.ts). No PRF is asked for, and the extension
 * results are dropped before sending all the same. Throws FreshProofNotGivenError when the
 * browser's prompt fails, ApiError when the server refuses it.
 */
export async function proveFreshly(transport: Transport = httpTransport): Promise<void> {
  const optionsJSON = await transport.call(routes.security.freshProofOptions, {});
  let response;
  try {
    response = await startAuthentication({ optionsJSON });
  } catch (error) {
    // The browser's refusals reach us as @simplewebauthn's WebAuthnError or as the DOMException
    // itself; anything else is a programming error and goes on up.
    if (error instanceof WebAuthnError || error instanceof DOMException) throw new FreshProofNotGivenError();
    throw error;
  }
  await transport.call(routes.security.freshProof, { body: { credential: assertionForServer(response) } });
}

/**
 * Runs a sensitive action; if the server answers 403 "fresh-proof-required" (no passkey tap
 * in the last few minutes), asks for one (proveFreshly) and runs the action once more.
 * Throws what the action throws, or what proveFreshly throws.
 */
export async function withFreshProof<T>(action: () => Promise<T>, transport: Transport = httpTransport): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "fresh-proof-required")) throw error;
  }
  await proveFreshly(transport);
  return action();
}
