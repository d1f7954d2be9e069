import type { BrowserContext, Page } from "@playwright/test";
import { expect } from "./test";

/** The payload of a link's fragment, as any viewer reads it (SHL STU1: base64url JSON after "shlink:/"). */
export function shlinkPayloadOf(link: string): { url: string; key: string; flag?: string; label?: string } {
  const encoded = link.slice(link.indexOf("shlink:/") + "shlink:/".length);
  return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as { url: string; key: string; flag?: string; label?: string };
}

/**
 * Makes a link on the Links page (the real form) from the records titled, with the label, the
 * name the recipient sees and, if given, a passcode; returns the link text shown once and closes
 * the panel. The expiry is one day.
 */
export async function makeLinkOnPage(page: Page, input: { records: string[]; label: string; revealedName: string; passcode?: string }): Promise<string> {
  await page.getByRole("banner").getByRole("link", { name: "Links" }).click();
  const form = page.getByTestId("make-link-form");
  for (const title of input.records) await form.getByLabel(title, { exact: true }).check();
  await form.getByLabel("Label").fill(input.label);
  await form.getByLabel("Your name as the recipient will see it").fill(input.revealedName);
  await form.getByLabel("Expires after").selectOption({ label: "1 day" });
  if (input.passcode) {
    await form.getByLabel("Protect with a passcode").check();
    await form.getByLabel("Passcode", { exact: true }).fill(input.passcode);
  }
  await form.getByRole("button", { name: "Make the link" }).click();
  const made = page.getByTestId("made-link");
  await expect(made.getByRole("heading", { name: "Your link is ready" })).toBeVisible({ timeout: 30_000 });
  const text = await made.getByTestId("made-link-text").inputValue();
  await made.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("made-link")).toHaveCount(0);
  return text;
}

/** A response body as received, with the URL it came from. */
export interface SeenResponse {
  url: string;
  body: string;
}

/**
 * Collects the body of every response a browser context receives. Bodies are read as they
 * arrive; call `settled()` before reading the list so that none is still being read.
 */
export function captureResponses(context: BrowserContext): { seen: SeenResponse[]; settled: () => Promise<void> } {
  const seen: SeenResponse[] = [];
  const pending: Array<Promise<void>> = [];
  context.on("response", (response) => {
    pending.push(
      response
        .body()
        .then((body) => void seen.push({ url: response.url(), body: body.toString("latin1") }))
        // Redirects and aborted loads have no body to read.
        .catch(() => undefined),
    );
  });
  return { seen, settled: async () => void (await Promise.all(pending)) };
}

/** A fetch for the peer viewer (kill-the-clipboard's SHLViewer) that keeps every response body it receives. */
export function capturingFetch(seen: SeenResponse[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = Buffer.from(await response.clone().arrayBuffer()).toString("latin1");
    seen.push({ url: response.url, body });
    return response;
  };
}
