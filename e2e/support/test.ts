import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Browser, type BrowserContext, type Page, type TestInfo } from "@playwright/test";

// Every spec imports `test` and `expect` from here instead of "@playwright/test": the
// same API, plus an accessibility check (axe, WCAG 2.1 A and AA) of the page states the
// suite reaches. Serious and critical violations fail the test; the rest are listed in
// the test's "accessibility" attachment.
export * from "@playwright/test";

const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const failingImpacts = new Set(["serious", "critical"]);

interface Finding {
  label: string;
  url: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** What one test checked and found; at most one test runs at a time in a worker. */
interface Audit {
  findings: Finding[];
  checks: number;
  /** Whether the test's time has been extended for its closing checks. */
  extended: boolean;
}

/**
 * The axe-core that @axe-core/playwright ships (its pinned 4.13), injected once per
 * document rather than before every analysis as AxeBuilder does: injecting is most of
 * an analysis's time.
 */
const axeSource = readFileSync(createRequire(createRequire(__filename).resolve("@axe-core/playwright")).resolve("axe-core/axe.min.js"), "utf8");

type AxeResults = Awaited<ReturnType<AxeBuilder["analyze"]>>;

let audit: Audit | null = null;
/** Addresses already checked right after `page.goto`, across the worker's tests: the first render of an address does not depend on the test. */
const loadedAddresses = new Set<string>();
/**
 * Fingerprints of the page states already checked automatically, across the worker's tests: one
 * state (the address and the shape of its DOM, see `fingerprint`) reached again by another test,
 * as most tests reach a signed-in home or a chart, gets nothing new from a second analysis.
 */
const checkedStates = new Set<string>();

function appPage(page: Page): boolean {
  return !page.isClosed() && /^https?:/.test(page.url());
}

/**
 * Runs axe (WCAG 2.1 A and AA) on the page as it is now and records what it finds under
 * `label`. Throws, failing the test, on any serious or critical violation; lesser ones go
 * to the test's "accessibility" attachment. Call it at the states a test wants checked
 * (an open dialog, a menu, a panel); every test is also checked at its end, when a
 * context closes, and after each `page.goto` of an address not seen before.
 */
export async function checkA11y(page: Page, label: string): Promise<void> {
  assertNoSeriousFindings(await analyze(page, label), label);
}

async function analyze(page: Page, label: string): Promise<Finding[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const results = await page.evaluate((tags) => {
    // Markup a test put into the page itself (say, a hostile <img> to trip the CSP) is not the app's: React
    // rendered every element of the app's own, and left its fiber on it.
    // Before hydration nothing carries a fiber yet, and nothing is told apart.
    const rendered = (element: Element) => Object.keys(element).some((key) => key.startsWith("__reactFiber"));
    const children = Array.from(document.body.children);
    const foreign = children.some(rendered)
      ? children.filter((element) => !/^(SCRIPT|STYLE|LINK|TEMPLATE|NEXT-ROUTE-ANNOUNCER)$/.test(element.tagName) && !rendered(element))
      : [];
    const axe = (window as unknown as { axe: { run(context: object, options: object): Promise<AxeResults> } }).axe;
    return axe.run(foreign.length > 0 ? { exclude: foreign } : document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  }, wcagTags);
  const url = new URL(page.url());
  const findings = results.violations.map((violation) => ({
    label,
    url: url.pathname + url.search,
    rule: violation.id,
    impact: violation.impact ?? "unknown",
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
  if (audit) {
    audit.checks += 1;
    audit.findings.push(...findings);
  }
  return findings;
}

function assertNoSeriousFindings(findings: Finding[], label: string): void {
  const failing = findings.filter((finding) => failingImpacts.has(finding.impact));
  expect(
    failing.map((finding) => `${finding.impact} ${finding.rule} (${finding.help}) at ${finding.url}, "${finding.label}": ${finding.targets.join(", ")}`),
    `serious or critical accessibility violations at "${label}"`,
  ).toEqual([]);
}

/** What the automatic checks treat as one page state: the address and the shape of the DOM (elements, roles, names given by attributes, whether each has text). */
async function fingerprint(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    // An API response or a file shown in the tab is not one of the app's pages.
    if (document.contentType !== "text/html" || !document.body) return null;
    const parts: string[] = [location.pathname];
    for (const element of Array.from(document.body.querySelectorAll("*"))) {
      const attributes = Array.from(element.attributes)
        .filter((attribute) => /^(role|type|class|aria-|alt|title|for|tabindex|disabled|hidden|open)/.test(attribute.name))
        .map((attribute) => `${attribute.name}=${attribute.value}`)
        .join(",");
      const ownText = Array.from(element.childNodes).some((node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== "");
      parts.push(`${element.tagName}[${attributes}]${ownText ? "t" : ""}`);
    }
    return parts.join("|");
  });
}

/** An analysis cut short because the page navigated or closed under it (not a finding). */
const navigationGone = (error: unknown) =>
  error instanceof Error && /Execution context was destroyed|Target page, context or browser has been closed|Target closed/.test(error.message);

/** Checks a page state the test did not ask for (end of test, context closing), once per distinct state in the worker; a page caught mid-navigation is checked once it has loaded. */
async function checkAutomatically(page: Page, label: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (!appPage(page)) return;
    let findings: Finding[];
    try {
      // A test may end right after a navigation began: a document still arriving has no <title> yet, which is not a finding.
      await page.waitForLoadState("load", { timeout: 10_000 }).catch(() => undefined);
      // After a client-side navigation the new title follows the new content; a page that never gets one is still reported below.
      await page.waitForFunction(() => document.title !== "", null, { timeout: 5_000 }).catch(() => undefined);
      const state = await fingerprint(page);
      if (state === null || checkedStates.has(state)) return;
      findings = await analyze(page, label);
      checkedStates.add(state);
    } catch (error) {
      if (!navigationGone(error)) throw error;
      await page.waitForLoadState("load").catch(() => undefined);
      continue;
    }
    assertNoSeriousFindings(findings, label);
    return;
  }
}

async function checkContext(context: BrowserContext, label: string, testInfo: TestInfo): Promise<void> {
  // The closing checks are not the test's own work: they get their own time, once per test.
  if (audit && !audit.extended) {
    audit.extended = true;
    testInfo.setTimeout(testInfo.timeout + 20_000);
  }
  for (const page of context.pages()) await checkAutomatically(page, label);
}

function testPassing(testInfo: TestInfo): boolean {
  return testInfo.status === testInfo.expectedStatus && testInfo.errors.length === 0;
}

/** Checks each address the first time a test loads it with `page.goto` (and waits for its load). */
function instrumentPage(page: Page): void {
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    const response = await goto(url, options);
    const waited = options?.waitUntil === undefined || options.waitUntil === "load";
    const html = response?.headers()["content-type"]?.startsWith("text/html") ?? false;
    if (!waited || !html || !appPage(page)) return response;
    const address = new URL(page.url());
    const key = address.pathname + address.search;
    if (loadedAddresses.has(key)) return response;
    loadedAddresses.add(key);
    const label = `loaded ${key}`;
    let findings: Finding[];
    try {
      findings = await analyze(page, label);
    } catch (error) {
      // The page went on by itself (a passkey autofill signing in, a redirect): that state is not this address's.
      if (!navigationGone(error)) throw error;
      return response;
    }
    // The same, when it went on by a client-side navigation, which leaves the document in place: axe may have
    // caught the next page between its content and its <title>. That page is checked when the test is done with it.
    const now = new URL(page.url());
    if (now.pathname + now.search !== key) return response;
    assertNoSeriousFindings(findings, label);
    return response;
  };
}

/**
 * After a failure, prints what each page of the test's contexts showed: its address and its
 * accessibility tree (Playwright's ARIA snapshot), at most 4,000 characters a page. A run
 * without traces (CI) has nothing else to say where a test was.
 */
async function attachPagesOnFailure(contexts: BrowserContext[], testInfo: TestInfo): Promise<void> {
  if (testPassing(testInfo)) return;
  const shown: string[] = [];
  for (const page of contexts.flatMap((context) => context.pages())) {
    if (page.isClosed()) continue;
    const tree = await page
      .locator("body")
      .ariaSnapshot({ timeout: 2_000 })
      .catch((error: unknown) => `(no snapshot: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
    shown.push(`${page.url()}\n${tree.length > 4_000 ? `${tree.slice(0, 4_000)}\n…` : tree}`);
  }
  // Printed rather than attached: the reporters cut a text attachment to a few lines.
  if (shown.length > 0) console.log(`── pages at the failure of "${testInfo.title}" ──\n${shown.join("\n\n")}\n──`);
}

function instrumentContext(context: BrowserContext, testInfo: TestInfo): void {
  for (const page of context.pages()) instrumentPage(page);
  context.on("page", instrumentPage);
  const close = context.close.bind(context);
  context.close = async (options) => {
    if (testPassing(testInfo)) await checkContext(context, "before its browser context closed", testInfo);
    return close(options);
  };
}

export const test = base.extend<{ accessibilityAudit: void }>({
  accessibilityAudit: [
    async ({ browser }, provide, testInfo) => {
      audit = { findings: [], checks: 0, extended: false };
      const created: BrowserContext[] = [];
      const newContext = browser.newContext;
      browser.newContext = async function (this: Browser, ...args: Parameters<Browser["newContext"]>) {
        const context = await newContext.apply(this, args);
        instrumentContext(context, testInfo);
        created.push(context);
        return context;
      };
      try {
        await provide();
        if (testPassing(testInfo)) {
          for (const context of created) await checkContext(context, "end of test", testInfo);
        }
        await attachPagesOnFailure(created, testInfo);
      } finally {
        browser.newContext = newContext;
        const { findings, checks } = audit;
        audit = null;
        if (findings.length > 0) {
          await testInfo.attach("accessibility", { contentType: "application/json", body: JSON.stringify({ checks, findings }, null, 2) });
        }
      }
    },
    { auto: true },
  ],
  context: async ({ context, accessibilityAudit }, provide, testInfo) => {
    void accessibilityAudit;
    instrumentContext(context, testInfo);
    await provide(context);
    if (testPassing(testInfo)) await checkContext(context, "end of test", testInfo);
    await attachPagesOnFailure([context], testInfo);
  },
});

export { expect };
