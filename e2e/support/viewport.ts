import { expect, type Locator, type Page } from "@playwright/test";

/** The phone sizes every page must fit: the narrowest common Android width and a current iPhone. */
export const phoneViewports = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
] as const;

/**
 * Asserts that the page does not scroll sideways (the document is no wider than the
 * viewport) and that every visible link, button and form control lies wholly inside the
 * viewport horizontally. `label` names the page state in the failure message.
 */
export async function expectFitsViewport(page: Page, label: string): Promise<void> {
  const measured = await page.evaluate(() => {
    const width = window.innerWidth;
    const controls = Array.from(document.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea, summary, [tabindex]"));
    const outside = controls
      .filter((control) => {
        // The skip link waits off screen until it has focus, by design.
        if (control.classList.contains("skip-link")) return false;
        const style = getComputedStyle(control);
        const box = control.getBoundingClientRect();
        if (style.visibility === "hidden" || box.width === 0 || box.height === 0) return false;
        return box.left < -0.5 || box.right > width + 0.5;
      })
      .map((control) => {
        const box = control.getBoundingClientRect();
        const name = control.getAttribute("aria-label") ?? control.textContent?.trim().slice(0, 40) ?? "";
        return `${control.tagName.toLowerCase()} "${name}" at ${Math.round(box.left)}–${Math.round(box.right)} px`;
      });
    return { width, scrollWidth: document.documentElement.scrollWidth, outside };
  });
  // Soft: one run reports every page state that does not fit, not only the first.
  expect
    .soft(measured.scrollWidth, `${label}: the page is ${measured.scrollWidth} px wide in a ${measured.width} px viewport`)
    .toBeLessThanOrEqual(measured.width);
  expect.soft(measured.outside, `${label}: controls outside the ${measured.width} px viewport`).toEqual([]);
}

/** The site header's menu button on narrow screens. */
export const menuButton = (page: Page): Locator => page.getByRole("banner").getByRole("button", { name: "Menu" });

/**
 * Opens the header menu, checks it is a working disclosure whose links fit the viewport,
 * and follows the link named `link` (a client-side navigation, so an unlocked vault stays open).
 */
export async function goThroughMenu(page: Page, link: string): Promise<void> {
  const button = menuButton(page);
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await button.click();
  await expect(button).toHaveAttribute("aria-expanded", "true");
  const nav = page.locator(`#${await button.getAttribute("aria-controls")}`);
  await expect(nav.getByRole("link", { name: link, exact: true })).toBeVisible();
  await expectFitsViewport(page, `menu open on ${new URL(page.url()).pathname}`);
  const target = nav.getByRole("link", { name: link, exact: true });
  const href = (await target.getAttribute("href"))!;
  await target.click();
  await expect(page).toHaveURL((url) => url.pathname === href, { timeout: 15_000 });
  await expect(button).toHaveAttribute("aria-expanded", "false");
}

/**
 * Asserts that a form page looks like the app's other pages: every visible button in the main
 * content wears one of the app's button styles (not the browser's default), and each text
 * field's or list's label stands above its control, never inline beside it (filter bars, whose
 * labels sit beside their controls by design, are not for this check).
 */
export async function expectAppStyle(page: Page, label: string): Promise<void> {
  const found = await page.evaluate(() => {
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
    };
    const main = document.querySelector("main")!;
    const plainButtons = Array.from(main.querySelectorAll("button"))
      .filter(visible)
      .filter((button) => !button.matches(".button, .link-button"))
      .map((button) => button.textContent?.trim().slice(0, 40) ?? "");
    const inlineLabels = Array.from(main.querySelectorAll<HTMLLabelElement>("label[for]"))
      .filter(visible)
      .filter((labelElement) => {
        const control = document.getElementById(labelElement.htmlFor);
        if (!control || !visible(control) || !control.matches('input:not([type="checkbox"]):not([type="radio"]), select, textarea')) return false;
        return labelElement.getBoundingClientRect().bottom > control.getBoundingClientRect().top + 0.5;
      })
      .map((labelElement) => labelElement.textContent?.trim().slice(0, 40) ?? "");
    return { plainButtons, inlineLabels };
  });
  expect.soft(found.plainButtons, `${label}: buttons without the app's style`).toEqual([]);
  expect.soft(found.inlineLabels, `${label}: labels beside their controls rather than above`).toEqual([]);
}
