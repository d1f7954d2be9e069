import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { expect, test, type Page, type Route, type TestInfo } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

// Downloads that stream through the download service worker (public/download-sw.js,
// client/records/streamed-download.ts), and the Blob download where there is no worker.

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
/** A streamed download's URL: a random id and nothing else (no name, type or size). */
const streamedUrl = /^http:\/\/localhost:\d+\/downloads\/[A-Za-z0-9_-]{22}$/;
/** 5 MiB and a bit: six chunks of 1 MiB, fetched five ahead. */
const fileBytes = 5 * 1024 * 1024 + 4321;

/** Signs up a patient, uploads `name` and opens its record; returns the file's bytes. */
async function uploadAndOpen(page: Page, testInfo: TestInfo, name: string, patient: string): Promise<Buffer> {
  const original = randomBytes(fileBytes);
  const sourcePath = testInfo.outputPath(name);
  writeFileSync(sourcePath, original);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: patient });
  await page.getByRole("link", { name: "My records" }).first().click();
  await page.getByLabel("File", { exact: true }).setInputFiles(sourcePath);
  await expect(page.getByText(`${name} was encrypted and saved.`)).toBeVisible({ timeout: 120_000 });
  await page.getByTestId("group-document").getByRole("button", { name }).click();
  return original;
}

/** Holds the file's chunk downloads from `index` on until `release` is called. */
async function holdChunksFrom(page: Page, index: number): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/blobs/*/chunks/*", async (route: Route) => {
    const at = Number(new URL(route.request().url()).pathname.split("/").pop());
    if (route.request().method() === "GET" && at >= index) await released;
    return route.continue();
  });
  return release;
}

test.describe("with the download service worker", () => {
  test("a file streams to the browser's downloads under its own name, byte for byte, from a URL that says nothing of it", async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    const name = "Röntgen knee 膝 (left).bin";
    const original = await uploadAndOpen(page, testInfo, name, "Stella Stream");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download decrypted" }).click();
    const download = await downloading;
    expect(download.url()).toMatch(streamedUrl);
    expect(download.suggestedFilename()).toBe(name);
    const savedPath = testInfo.outputPath("streamed.bin");
    await download.saveAs(savedPath);
    expect(sha256(readFileSync(savedPath))).toBe(sha256(original));
    await expect(page.getByText(`${name} was decrypted and saved.`)).toBeVisible();
  });

  test("a second press while a download runs starts no second download", async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await uploadAndOpen(page, testInfo, "pressed twice.bin", "Dora Double");
    const release = await holdChunksFrom(page, 2);
    let firstChunkFetches = 0;
    page.on("request", (request) => {
      if (request.method() === "GET" && /\/api\/blobs\/[^/]+\/chunks\/0$/.test(new URL(request.url()).pathname)) firstChunkFetches += 1;
    });
    const downloads: string[] = [];
    page.on("download", (download) => downloads.push(download.url()));
    const button = page.getByRole("button", { name: "Download decrypted" });
    const downloading = page.waitForEvent("download");
    await button.click();
    await downloading;
    await expect(button).toHaveAttribute("aria-disabled", "true");
    // Forced: Playwright waits for an aria-disabled button to be enabled; a person's press still reaches it.
    await button.click({ force: true });
    // Long enough for a second download to open and fetch its first chunk, which is not held.
    await page.waitForTimeout(1000);
    release();
    await expect(page.getByText("pressed twice.bin was decrypted and saved.")).toBeVisible();
    expect(firstChunkFetches).toBe(1);
    expect(downloads).toHaveLength(1);
    await expect(button).not.toHaveAttribute("aria-disabled", "true");
  });

  test("a download cancelled in the browser stops the page's download and says so", async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await uploadAndOpen(page, testInfo, "cancelled.bin", "Carl Cancel");
    const release = await holdChunksFrom(page, 2);
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download decrypted" }).click();
    const download = await downloading;
    expect(download.url()).toMatch(streamedUrl);
    await download.cancel();
    expect(await download.failure()).toBe("canceled");
    release();
    await expect(page.getByText("The download was cancelled.")).toBeVisible();
    await expect(page.getByTestId("download-progress")).toBeHidden();
    await expect(page.getByText("cancelled.bin was decrypted and saved.")).toBeHidden();
  });

  test("a chunk altered midway fails the browser's download, so no partial file is kept as complete", async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await uploadAndOpen(page, testInfo, "altered.bin", "Ada Altered");
    await page.route("**/api/blobs/*/chunks/3", async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length - 1]! ^= 1;
      return route.fulfill({ response, body });
    });
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download decrypted" }).click();
    const download = await downloading;
    expect(download.url()).toMatch(streamedUrl);
    await expect(page.locator(".file-viewer").getByRole("alert")).toHaveText("This file could not be decrypted: it was altered or damaged after it was saved.");
    expect(await download.failure()).not.toBeNull();
    await expect(page.getByText("altered.bin was decrypted and saved.")).toBeHidden();
  });
});

test.describe("without service workers", () => {
  // Playwright replaces navigator.serviceWorker.register with one that registers nothing.
  test.use({ serviceWorkers: "block" });

  test("a file downloads through a Blob instead, byte for byte", async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    const original = await uploadAndOpen(page, testInfo, "no-worker.bin", "Nora Noworker");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download decrypted" }).click();
    const download = await downloading;
    expect(download.url()).toMatch(/^blob:/);
    const savedPath = testInfo.outputPath("blob.bin");
    await download.saveAs(savedPath);
    expect(sha256(readFileSync(savedPath))).toBe(sha256(original));
    await expect(page.getByText("no-worker.bin was decrypted and saved.")).toBeVisible();
  });
});
