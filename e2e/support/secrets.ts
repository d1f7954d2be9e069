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
        | { prf?: { results?: { first?: ArrayBuffer | ArrayBufferView } } }
        | undefined;
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
  if (typeof secret === "string") return [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")];
  const buffer = Buffer.from(secret);
  const base64 = buffer.toString("base64");
  return [buffer.toString("hex"), base64, base64.replace(/=+$/, ""), buffer.toString("base64url")];
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
