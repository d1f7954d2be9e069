import type { CDPSession, Page } from "@playwright/test";

export interface VirtualAuthenticatorOptions {
  /** Whether the authenticator supports the WebAuthn PRF extension (hmac-secret). */
  prf: boolean;
  /** Whether it reports the user as verified (biometric or PIN); default true. */
  userVerified?: boolean;
}

export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export interface VirtualAuthenticator {
  id: string;
  cdp: CDPSession;
  credentials(): Promise<VirtualCredential[]>;
  setUserVerified(verified: boolean): Promise<void>;
  clearCredentials(): Promise<void>;
  /** Puts copies of credentials (from another authenticator) on this one: the same passkey on a second device. */
  addCredentials(credentials: VirtualCredential[]): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Adds a Chromium virtual platform authenticator (CTAP 2.1, resident keys, user
 * verification) to a page through the DevTools protocol, with or without PRF.
 * Each browser context gets its own, so two users can sign in side by side.
 */
export async function addVirtualAuthenticator(page: Page, { prf, userVerified = true }: VirtualAuthenticatorOptions): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: userVerified,
      automaticPresenceSimulation: true,
      hasPrf: prf,
    },
  });
  return {
    id: authenticatorId,
    cdp,
    async credentials() {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      return credentials as VirtualCredential[];
    },
    async setUserVerified(verified) {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: verified });
    },
    async clearCredentials() {
      await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
    },
    async addCredentials(credentials) {
      for (const credential of credentials) {
        await cdp.send("WebAuthn.addCredential", {
          authenticatorId,
          credential: {
            credentialId: credential.credentialId,
            isResidentCredential: credential.isResidentCredential,
            rpId: credential.rpId,
            privateKey: credential.privateKey,
            userHandle: credential.userHandle,
            signCount: credential.signCount,
          },
        });
      }
    },
    async remove() {
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
    },
  };
}
