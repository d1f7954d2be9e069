import { Temporal } from "temporal-polyfill";
import { expect, test } from "./support/test";
import { addNote, chooseClinician, newPerson } from "./support/sharing";

// Calendar days where the person is, not in UTC. The browsers run in a zone that is on
// another calendar day than UTC right now, so a day computed in UTC cannot pass for the
// person's: Kiritimati (UTC+14) is a day ahead from 10:00 UTC to midnight UTC, Pago Pago
// (UTC-11) a day behind from midnight to 11:00 UTC. (Only a run that starts in the last
// minutes before midnight UTC could see the days meet while it runs.) The zone is not in the
// test's title: Playwright lists tests in one process and runs them in another, and a run
// that crosses 10:00 or midnight UTC between the two would not find a title with it.
const timeZone = new Date().getUTCHours() >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
test.use({ timezoneId: timeZone, locale: "en-US" });

const dayIn = (zone: string) => Temporal.Now.plainDateISO(zone);

test("far from UTC (Kiritimati or Pago Pago, whichever is on another day), today is the person's today: clinical dates, a share's end date and the history's day filter", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Tia Zone", specialty: "Dateline medicine", organization: "Island Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Kiri Midnight" });
  const page = patient.page;
  expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(timeZone);
  const today = dayIn(timeZone);
  const tomorrow = today.add({ days: 1 });
  // The premise of the test: the person's day is not the UTC day.
  expect(today.equals(dayIn("UTC"))).toBe(false);

  await test.step("a clinical form starts its date at today where the person is, accepts it, and refuses tomorrow as the future", async () => {
    await page.getByRole("link", { name: "My records" }).first().click();
    await page.getByRole("button", { name: "Add an immunization" }).click();
    const date = page.getByLabel("Date given");
    await expect(date).toHaveValue(today.toString());
    await page.getByLabel("Vaccine").fill("Tetanus booster");
    await date.fill(tomorrow.toString());
    await page.getByRole("button", { name: "Save immunization" }).click();
    await expect(page.getByText("The date cannot be in the future.")).toBeVisible();
    await date.fill(today.toString());
    await page.getByRole("button", { name: "Save immunization" }).click();
    await expect(page.getByTestId("group-immunization").getByRole("button", { name: "Tetanus booster" })).toBeVisible();
  });

  await test.step("the share form's end date starts at today where the person is, and a share until tomorrow ends at that day's midnight there", async () => {
    await addNote(page, "Night shift notes", "Slept 4 hours.");
    await chooseClinician(page, "Dateline medicine", "Dr Tia Zone");
    const form = page.getByTestId("share-form");
    const until = form.getByLabel("Until (optional)");
    await expect(until).toHaveAttribute("min", today.toString());
    await form.getByLabel("Night shift notes", { exact: true }).check();
    await until.fill(tomorrow.toString());
    await form.getByRole("button", { name: "Share", exact: true }).click();
    await expect(page.getByText("Shared with Dr Tia Zone.")).toBeVisible();
    const grants = (await (await page.request.get("/api/grants")).json()) as unknown;
    const endsAt = JSON.stringify(grants).match(/"expiresAt":"([^"]+)"/)?.[1];
    const midnight = tomorrow.add({ days: 1 }).toZonedDateTime({ timeZone }).toInstant();
    expect(endsAt && Temporal.Instant.from(endsAt).toString()).toBe(midnight.subtract({ seconds: 1 }).toString());
  });

  await test.step("the history filtered to today where the person is holds what they did just now; filtered to the UTC day, none of it", async () => {
    await page.getByRole("link", { name: "History" }).click();
    await expect(page.getByText(/^Verified: the \d+ events shown/)).toBeVisible({ timeout: 20_000 });
    await page.getByLabel("Show").selectOption("all");
    const rows = page.getByTestId("history-row");
    await page.getByLabel("From").fill(today.toString());
    await page.getByLabel("Until").fill(today.toString());
    await expect(rows.filter({ hasText: "Shared records" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "Added a record" })).toHaveCount(2);
    const utcDay = dayIn("UTC").toString();
    await page.getByLabel("From").fill(utcDay);
    await page.getByLabel("Until").fill(utcDay);
    await expect(page.getByText("Nothing matches these filters.")).toBeVisible();
    await expect(rows).toHaveCount(0);
  });

  await doctor.close();
  await patient.close();
});
