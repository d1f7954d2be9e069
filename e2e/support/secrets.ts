import type { BrowserContext, Page } from "@playwright/test";

/** Every request the browser sends: URL and body, as the server would receive them. */
export function captureRequests(context: BrowserContext): Array<{ url: string; body: string }> {
  const sent: Array<{ url: string; body: string }> = [];
  context.on("request", (request) => sent.push({ url: request.url(), body: request.postData() ?? "" }));
  return sent;
}

/**
 * Records each PRF output the page receives, by wrapping the WebAuthn API before any page
 * script runs. The list survives navigations in sessionStorage (test instrumentation only).
 */
export async function recordPrfOutputs(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const key = "__test_prf_outputs";
    const remember = (credential: Credential | null) => {
      const results = (credential as PublicKeyCredential | null)?.getClientExtensionResults?.() as
        { prf?: { results?: { first?: ArrayBuffer | ArrayBufferView } } } | undefined;
      const first = results?.prf?.results?.first;
      if (!first) return;
      const bytes = first instanceof ArrayBuffer ? new Uint8Array(first) : new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
      const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
      const seen = JSON.parse(sessionStorage.getItem(key) ?? "[]") as string[];
      sessionStorage.setItem(key, JSON.stringify([...seen, hex]));
    };
    const create = navigator.credentials.create.bind(navigator.credentials);
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.create = async (options) => {
      const credential = await create(options);
      remember(credential);
      return credential;
    };
    navigator.credentials.get = async (options) => {
      const credential = await get(options);
      remember(credential);
      return credential;
    };
  });
  return () => page.evaluate(() => JSON.parse(sessionStorage.getItem("__test_prf_outputs") ?? "[]") as string[]);
}

/** The forms a secret could take on the wire. */
export function encodings(secret: Uint8Array | string): string[] {
  const forms =
    typeof secret === "string"
      ? [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")]
      : [Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64").replace(/=+$/, ""), Buffer.from(secret).toString("base64url")];
  return [...new Set(forms)];
}

export function findLeaks(sent: Array<{ url: string; body: string }>, secrets: Record<string, Uint8Array | string>): string[] {
  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    for (const form of encodings(secret)) {
      for (const request of sent) {
        if (request.url.includes(form) || request.body.includes(form)) leaks.push(`${name} in ${request.url}`);
      }
    }
  }
  return leaks;
}
