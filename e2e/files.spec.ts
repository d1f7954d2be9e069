import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { expect, test } from "./support/test";
import { signUpThroughPage, unlockVault } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { trailActions } from "./support/audit";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

test("a 50 MB file uploads encrypted with a progress bar, survives a dropped connection, and downloads byte for byte", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const original = randomBytes(50 * 1024 * 1024 + 12_345);
  const sourcePath = testInfo.outputPath("scan-results.bin");
  writeFileSync(sourcePath, original);

  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Frida Files" });
  await page.getByRole("link", { name: "My records" }).first().click();

  // Drop the connection for chunk uploads once the upload is under way, and restore it once the
  // page has said so: restored after a fixed number of drops, a fast retry could come and go
  // between two looks at the page.
  let chunksSeen = 0;
  let dropping = false;
  let dropped = 0;
  await page.route("**/api/blobs/*/chunks/*", async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    chunksSeen += 1;
    // A 50 MB file goes up in 7 chunks of 8 MiB: drop once four are through.
    if (chunksSeen === 5) dropping = true;
    if (dropping) {
      dropped += 1;
      return route.abort("internetdisconnected");
    }
    return route.continue();
  });

  await page.getByLabel("File", { exact: true }).setInputFiles(sourcePath);
  const progress = page.locator("#upload-progress");
  await expect(progress).toBeVisible();
  await expect(page.getByText("Connection lost — retrying…")).toBeVisible({ timeout: 180_000 });
  dropping = false;
  await expect.poll(async () => Number(await progress.getAttribute("value")).valueOf(), { timeout: 60_000 }).toBeGreaterThan(25 * 1024 * 1024);
  await expect(page.getByText("scan-results.bin was encrypted and saved.")).toBeVisible({ timeout: 180_000 });
  expect(dropped).toBeGreaterThan(0);

  // The server holds padded ciphertext only: whole 8 MiB chunks.
  await page.getByTestId("group-document").getByRole("button", { name: "scan-results.bin" }).click();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download decrypted" }).click();
  const savedPath = testInfo.outputPath("downloaded.bin");
  await (await downloadPromise).saveAs(savedPath);
  const downloaded = readFileSync(savedPath);
  expect(downloaded.length).toBe(original.length);
  expect(sha256(downloaded)).toBe(sha256(original));
});

test("an image decrypts and shows in the page", async ({ page }, testInfo) => {
  // A 1x1 PNG.
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
  const imagePath = testInfo.outputPath("rash.png");
  writeFileSync(imagePath, png);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Ivo Image" });
  await page.getByRole("link", { name: "My records" }).first().click();
  await page.getByLabel("File", { exact: true }).setInputFiles(imagePath);
  await expect(page.getByText("rash.png was encrypted and saved.")).toBeVisible();
  await page.getByTestId("group-document").getByRole("button", { name: "rash.png" }).click();
  await page.getByRole("button", { name: "Show", exact: true }).click();
  const preview = page.getByRole("img", { name: "Preview of rash.png" });
  await expect(preview).toBeVisible();
  expect(await preview.evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBe(1);
  expect(await trailActions(page)).toContain("file-fetched");
});

/** A one-page PDF that draws a black box and carries a script that must never run. */
function pdfWithScript(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 5 0 R >>",
    "<< /Type /Action /S /JavaScript /JS (app.alert\\('pdf script ran'\\);) >>",
  ];
  const drawing = "0 0 0 rg 20 20 160 160 re f";
  objects.push(`<< /Length ${drawing.length} >>\nstream\n${drawing}\nendstream`);
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

test("a PDF decrypts and is painted in the page without running its script", async ({ page }, testInfo) => {
  const pdfPath = testInfo.outputPath("discharge-letter.pdf");
  writeFileSync(pdfPath, pdfWithScript());
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Petra Pdf" });
  await page.getByRole("link", { name: "My records" }).first().click();
  await page.getByLabel("File", { exact: true }).setInputFiles(pdfPath);
  await expect(page.getByText("discharge-letter.pdf was encrypted and saved.")).toBeVisible();
  await page.getByTestId("group-document").getByRole("button", { name: "discharge-letter.pdf" }).click();
  await page.getByRole("button", { name: "Show", exact: true }).click();
  const pageImage = page.getByRole("img", { name: "Page 1 of 1 of discharge-letter.pdf" });
  await expect(pageImage).toBeVisible();
  await expect(page.getByText("1 page, shown without running anything the file contains.")).toBeVisible();
  // The box in the middle of the page is painted black.
  await expect
    .poll(() =>
      pageImage.evaluate((canvas) => {
        const element = canvas as HTMLCanvasElement;
        const pixel = element.getContext("2d")!.getImageData(element.width / 2, element.height / 2, 1, 1).data;
        return pixel[0]! + pixel[1]! + pixel[2]!;
      }),
    )
    .toBe(0);
  expect(await page.locator("iframe, embed, object").count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test("an upload cut off by a page reload is offered again, and picking the same file sends only the chunks the server lacks", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  // Above 16 MiB and at most 32 MiB, so in 4 MiB chunks (contract/records.ts chunkSizeFor).
  const chunkMiB = 4;
  const chunkCount = 6;
  const original = randomBytes((chunkCount - 1) * chunkMiB * 1024 * 1024 + 200_000);
  const sourcePath = testInfo.outputPath("long-scan.bin");
  writeFileSync(sourcePath, original);

  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Rhea Reload" });
  await page.getByRole("link", { name: "My records" }).first().click();

  // After 2 chunks the server stops answering (the requests hang), and the page is reloaded.
  let stored = 0;
  await page.route("**/api/blobs/*/chunks/*", async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    if (stored >= 2) return;
    stored += 1;
    return route.continue();
  });
  await page.getByLabel("File", { exact: true }).setInputFiles(sourcePath);
  await expect(page.getByTestId("upload-progress")).toBeVisible();
  await expect
    .poll(async () => Number(await page.getByTestId("upload-progress").getAttribute("data-done-bytes")), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(2 * chunkMiB * 1024 * 1024);
  // The acknowledged chunks are written to IndexedDB at most once a second.
  await page.waitForTimeout(1_500);
  // Reloaded first (the hanging requests die with the page), the server's answers restored after.
  await page.reload();
  await page.unroute("**/api/blobs/*/chunks/*");
  await unlockVault(page);
  await page.getByRole("link", { name: "My records" }).first().click();

  let resent = 0;
  await page.route("**/api/blobs/*/chunks/*", async (route) => {
    if (route.request().method() === "PUT") resent += 1;
    return route.continue();
  });
  await expect(page.getByText(/^long-scan\.bin \(21\.2 MB\) did not finish uploading\.$/)).toBeVisible();
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Resume upload of long-scan.bin" }).click();
  await (await chooser).setFiles(sourcePath);
  await expect(page.getByText("long-scan.bin was encrypted and saved.")).toBeVisible({ timeout: 180_000 });
  expect(resent).toBe(chunkCount - 2);
  await expect(page.getByRole("button", { name: "Resume upload of long-scan.bin" })).toHaveCount(0);

  await page.getByTestId("group-document").getByRole("button", { name: "long-scan.bin" }).click();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download decrypted" }).click();
  const savedPath = testInfo.outputPath("long-scan-downloaded.bin");
  await (await downloadPromise).saveAs(savedPath);
  expect(sha256(readFileSync(savedPath))).toBe(sha256(original));
});

test.describe("without the download service worker", () => {
  // The Blob is the fallback where the download worker is not there (e2e/streamed-download.spec.ts has the worker's downloads).
  test.use({ serviceWorkers: "block" });

  test("a file the browser's blob storage drops is made again when it has room, or said plainly, never a silent cancelled download", async ({
    page,
  }, testInfo) => {
    // The page waits up to a minute for a browser that keeps dropping the file to make room.
    test.setTimeout(240_000);
    const original = randomBytes(3 * 1024 * 1024 + 321);
    const sourcePath = testInfo.outputPath("ultrasound.bin");
    writeFileSync(sourcePath, original);
    // Chromium drops a Blob of some hundreds of MiB made faster than it moves earlier ones out of its memory,
    // then cancels its download at once without telling the page. Here a Blob reads as dropped: the first two
    // of the whole file's size made while the test says "no room", and any of over 1 MiB while it says "full".
    await page.addInitScript(() => {
      const RealBlob = window.Blob;
      const state = { mode: "none", dropped: 0 };
      (window as unknown as { blobStorage: typeof state }).blobStorage = state;
      class BrowserBlob extends RealBlob {
        private readonly gone: boolean;
        constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
          super(parts, options);
          this.gone = (state.mode === "no-room" && this.size >= 3 * 1024 * 1024 && state.dropped < 2) || (state.mode === "full" && this.size > 1024 * 1024);
          if (this.gone) state.dropped++;
        }
        override slice(start?: number, end?: number, type?: string): Blob {
          if (!this.gone) return super.slice(start, end, type);
          return { arrayBuffer: () => Promise.reject(new DOMException("The requested file could not be read", "NotReadableError")) } as unknown as Blob;
        }
      }
      window.Blob = BrowserBlob;
    });
    const blobStorage = (mode: string) =>
      page.evaluate((next) => Object.assign((window as unknown as { blobStorage: { mode: string } }).blobStorage, { mode: next }), mode);
    await page.goto("/");
    await addVirtualAuthenticator(page, { prf: true });
    await signUpThroughPage(page, { role: "patient", name: "Bruno Blob" });
    await page.getByRole("link", { name: "My records" }).first().click();
    await page.getByLabel("File", { exact: true }).setInputFiles(sourcePath);
    await expect(page.getByText("ultrasound.bin was encrypted and saved.")).toBeVisible({ timeout: 120_000 });
    await page.getByTestId("group-document").getByRole("button", { name: "ultrasound.bin" }).click();

    await blobStorage("no-room");
    const downloadPromise = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download decrypted" }).click();
    const savedPath = testInfo.outputPath("downloaded.bin");
    await (await downloadPromise).saveAs(savedPath);
    expect(sha256(readFileSync(savedPath))).toBe(sha256(original));
    expect(await page.evaluate(() => (window as unknown as { blobStorage: { dropped: number } }).blobStorage.dropped)).toBe(2);

    await blobStorage("full");
    let downloads = 0;
    page.on("download", () => downloads++);
    await page.getByRole("button", { name: "Download decrypted" }).click();
    await expect(page.locator(".file-viewer").getByRole("alert")).toHaveText(
      /Your browser could not hold this file \(4 MiB\) to save it, so nothing was saved\./,
      {
        timeout: 120_000,
      },
    );
    await expect(page.getByText("ultrasound.bin was decrypted and saved.")).toBeHidden();
    expect(downloads).toBe(0);
  });
});
