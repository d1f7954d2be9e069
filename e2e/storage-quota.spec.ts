import { open, rm } from "node:fs/promises";
import { expect, test } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { expectFitsViewport, goThroughMenu, phoneViewports } from "./support/viewport";
import { storageQuotaMB } from "../playwright.config";

/**
 * The storage quota as a patient meets it: the Security page says how much is used and left
 * (on a phone too), and a file that does not fit is refused before any of it is read or sent,
 * with the sizes in plain words. The server's quota here is 1.5 GB (playwright.config.ts).
 */
test("the Security page shows the space used, and a file larger than what is left is refused in plain words", async ({ page }, testInfo) => {
  expect(storageQuotaMB).toBe(1500);
  await page.setViewportSize(phoneViewports[0]);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Quinn Quota" });

  await goThroughMenu(page, "Security");
  const storage = page.getByRole("region", { name: "Storage" });
  await expect(storage.getByTestId("storage-used")).toHaveText("You use 0 bytes of your 1.5 GB; 1.5 GB left.");
  await expect(storage.getByRole("meter", { name: "Storage" })).toHaveAttribute("aria-valuetext", "0 bytes of 1.5 GB used");
  await expectFitsViewport(page, "security settings with storage");

  // 2 GB on disk as a sparse file: nothing of it is ever read, since the server refuses the declared size first.
  const path = testInfo.outputPath("scan-2gb.bin");
  const handle = await open(path, "w");
  await handle.truncate(2_000_000_000);
  await handle.close();
  let chunksSent = 0;
  page.on("request", (request) => {
    if (/\/api\/blobs\/[^/]+\/chunks\//.test(request.url())) chunksSent += 1;
  });
  await goThroughMenu(page, "My records");
  await page.getByLabel("File", { exact: true }).setInputFiles(path);
  await expect(page.getByText("This file needs 2 GB but you have 1.5 GB left of your 1.5 GB of storage.", { exact: false })).toBeVisible();
  expect(chunksSent).toBe(0);
  await rm(path);

  // Nothing was kept of the refused upload.
  await goThroughMenu(page, "Security");
  await expect(page.getByTestId("storage-used")).toHaveText("You use 0 bytes of your 1.5 GB; 1.5 GB left.");
});
