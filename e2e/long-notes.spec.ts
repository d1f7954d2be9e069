import { expect, test, type Page } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { maxNoteTextBytes } from "../client/fhir/note";

// A note's text travels base64-encoded inside the encrypted record. The old helper spread
// every byte into String.fromCharCode(...), which overflowed the stack from about 125 KB.
async function writeNote(page: Page, title: string, text: string) {
  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByLabel("Title").fill(title);
  // fill() with 200 KB types nothing slowly: it sets the value and fires one input event.
  await page.getByLabel("Note", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Save note" }).click();
}

test("a long note: ~200 KB is refused with a clear message, the longest allowed note saves and reads back whole after a new sign-in", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Lena Longhand" });
  await page.getByRole("link", { name: "My records" }).first().click();
  const errors: Error[] = [];
  page.on("pageerror", (error) => errors.push(error));

  await test.step("200 KB of text: the form says it is too long, nothing overflows and nothing is saved", async () => {
    await writeNote(page, "Whole diary", "Day by day, what I ate and how I slept. ".repeat(5000));
    await expect(page.getByText("This note is too long to save")).toBeVisible();
    await expect(page.getByTestId("group-note")).toHaveCount(0);
    expect(errors).toEqual([]);
    await page.getByRole("button", { name: "Cancel" }).click();
  });

  // The longest note: every line numbered, so a cut or a repeated piece would show.
  const lines = Array.from({ length: 3000 }, (_, index) => `Line ${String(index).padStart(4, "0")}: symptoms noted, nothing new today.`).join("\n");
  const longest = lines.padEnd(maxNoteTextBytes, ".").slice(0, maxNoteTextBytes);
  expect(longest.length).toBe(maxNoteTextBytes);

  await test.step(`${maxNoteTextBytes.toLocaleString("en-US")} bytes of text save`, async () => {
    await writeNote(page, "Long diary", longest);
    await expect(page.getByTestId("group-note").getByRole("button", { name: "Long diary" })).toBeVisible({ timeout: 20_000 });
    expect(errors).toEqual([]);
  });

  await test.step("after a reload and unlocking again, the note reads back whole", async () => {
    await page.reload();
    await page.getByRole("button", { name: "Unlock with passkey" }).click();
    await page.getByTestId("group-note").getByRole("button", { name: "Long diary" }).click();
    const shown = await page
      .locator(".note-text")
      .first()
      .evaluate((element) => element.textContent);
    expect(shown?.length).toBe(longest.length);
    expect(shown === longest).toBe(true);
  });
});
