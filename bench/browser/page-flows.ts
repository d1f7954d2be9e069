/**
 * What the browser suite does through the app's real pages, in Debian's Chromium with a
 * virtual authenticator (e2e/support/virtual-authenticator.ts): sign up, sign in to an
 * unlocked vault, upload and download a file, import a FHIR file. Written with Playwright's
 * library API (no test runner), each step waiting for what the page says when it is done.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { CDPSession, Page } from "@playwright/test";
import { ownCpuMs } from "./process-cpu";

/** Signs a patient up through /sign-up and confirms the recovery key; ends on /home. */
export async function signUpPatient(page: Page, name: string): Promise<void> {
  await page.goto("/sign-up");
  await page.getByRole("radio", { name: "Patient" }).check();
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Create account with a passkey" }).click();
  const shown = page.getByTestId("recovery-key");
  await shown.waitFor({ timeout: 60_000 });
  const recoveryKey = (await shown.textContent())!.trim();
  const groupInput = page.getByLabel(/type group \d+ of the key/);
  const label = await groupInput.evaluate((input) => (input as HTMLInputElement).labels?.[0]?.textContent ?? "");
  const groupNumber = Number(/group (\d+)/.exec(label)![1]);
  await groupInput.fill(recoveryKey.split("-")[groupNumber - 1]!);
  await page.getByRole("button", { name: /I have saved it/ }).click();
  await page.waitForURL(/\/home$/, { timeout: 60_000 });
}

/** What the page's main region says, whitespace folded, its first `chars` characters: for a failure's report. */
export async function mainText(page: Page, chars = 400): Promise<string> {
  const text = await page
    .locator("main")
    .innerText()
    .catch(() => "");
  return text.replace(/\s+/g, " ").slice(0, chars);
}

/**
 * Presses "Sign out" once the page has settled, until the home page "/" shows (at most three
 * presses, the page reloaded between them). The first full run's first sign-out, on a server
 * started right after its build, stayed on /home for 30 s; the bench then lost every browser
 * figure of that database. Untimed: only the sign-in after it is.
 * @throws the last wait's TimeoutError, after printing what the page showed
 */
async function signOutOf(page: Page): Promise<void> {
  for (let press = 1; ; press++) {
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => undefined);
    await page.getByRole("button", { name: "Sign out" }).click({ timeout: 30_000 });
    try {
      await page.waitForURL((url) => url.pathname === "/", { timeout: 20_000 });
      return;
    } catch (error) {
      console.log(`sign-out press ${press} left the page at ${page.url()}: "${await mainText(page)}"`);
      if (press === 3) throw error;
      await page.reload();
    }
  }
}

/**
 * Signs out, then times opening /sign-in until the home page says the vault is unlocked
 * (the passkey's PRF opens it; no prompt). The page may answer through autofill by itself;
 * the button is pressed unless it already has.
 * @returns milliseconds
 */
export async function timeSignInToUnlocked(page: Page): Promise<number> {
  await signOutOf(page);
  const started = performance.now();
  await page.goto("/sign-in");
  const button = page.getByRole("button", { name: "Sign in with a passkey" });
  await Promise.race([
    page.waitForURL(/\/(home|unlock)$/, { timeout: 60_000 }),
    button.click({ timeout: 60_000 }).catch((error: unknown) => {
      // The autofill answered first and the page moved on under the click: that is a sign-in too.
      if (!/home|unlock|detached|navigat/i.test(String(error))) throw error;
    }),
  ]);
  await page.getByTestId("vault-status").filter({ hasText: "unlocked" }).waitFor({ timeout: 60_000 });
  return performance.now() - started;
}

/** Writes (once) a file of `mebibytes` MiB whose 1 MiB blocks differ, for the upload. */
export async function patternFile(file: string, mebibytes: number): Promise<void> {
  const size = mebibytes * 1024 * 1024;
  if (existsSync(file) && statSync(file).size === size) return;
  const out = createWriteStream(file);
  const block = Buffer.alloc(1024 * 1024, 0x5a);
  for (let index = 0; index < mebibytes; index++) {
    block.writeUInt32BE(index, 0);
    if (!out.write(Buffer.from(block))) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

/** Ids of every Chromium process this benchmark started (descendants of this process named chrom*, from /proc); none off Linux. */
function chromiumProcesses(): number[] {
  if (!existsSync("/proc/self/stat")) return [];
  const parents = new Map<number, { parent: number; name: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis.
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), { parent, name });
    } catch {
      // The process ended between the listing and the read: nothing to count.
    }
  }
  const descends = (pid: number): boolean => {
    for (let current = parents.get(pid); current; current = parents.get(current.parent)) if (current.parent === process.pid) return true;
    return false;
  };
  return [...parents].filter(([pid, { name }]) => /chrom/i.test(name) && descends(pid)).map(([pid]) => pid);
}

/** The sum over `pids` of what `read` finds in each one's /proc entry; a process that ended meanwhile counts 0. */
function sumOver(pids: number[], read: (pid: number) => number): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += read(pid);
    } catch {
      // Ended meanwhile.
    }
  }
  return total;
}

/**
 * Resident memory (bytes) of every Chromium process this benchmark started: catches what the
 * JS heap does not count, such as ArrayBuffer backing stores and Blob data held by the browser
 * process. Linux only; 0 elsewhere.
 */
export function chromiumResidentBytes(): number {
  return sumOver(chromiumProcesses(), (pid) => Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096);
}

/**
 * CPU ms (user + system) every Chromium process this benchmark started has used so far (page,
 * browser, network service, GPU); a process that ended is no longer counted. Linux only; 0 elsewhere.
 */
export function chromiumCpuMs(): number {
  return sumOver(chromiumProcesses(), (pid) => ownCpuMs(readFileSync(`/proc/${pid}/stat`, "utf8")));
}

export interface MemoryGrowth {
  baselineMiB: number;
  /** Peak JS heap of the page minus its heap at the start (after a GC). */
  peakGrowthMiB: number;
  /** Peak resident memory of all Chromium processes minus theirs at the start. */
  peakResidentGrowthMiB: number;
}

/** Samples the page's JS heap (CDP Performance.getMetrics, JSHeapUsedSize) and Chromium's resident memory every 250 ms from a baseline taken after a GC. */
export async function heapSampler(page: Page): Promise<{ stop(): Promise<MemoryGrowth> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((metric) => metric.name === "JSHeapUsedSize")?.value ?? 0;
  };
  const baseline = await heap();
  const residentBaseline = chromiumResidentBytes();
  let peak = baseline;
  let residentPeak = residentBaseline;
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    residentPeak = Math.max(residentPeak, chromiumResidentBytes());
    sampling = heap().then(
      (value) => void (peak = Math.max(peak, value)),
      // The page navigated or closed between two samples: that sample is simply missing.
      () => undefined,
    );
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await cdp.detach().catch(() => undefined);
      const mib = (bytes: number) => bytes / 1024 / 1024;
      return { baselineMiB: mib(baseline), peakGrowthMiB: mib(peak - baseline), peakResidentGrowthMiB: mib(residentPeak - residentBaseline) };
    },
  };
}

/** Records a CPU profile of the page (CDP Profiler, 200 µs sampling) until `stop` writes it to a .cpuprofile file. */
export async function cpuProfiler(page: Page): Promise<{ stop(file: string): Promise<void> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  return {
    async stop(file) {
      const { profile } = await cdp.send("Profiler.stop");
      writeFileSync(file, JSON.stringify(profile));
      await cdp.detach().catch(() => undefined);
    },
  };
}

/**
 * Writes the page's Resource Timing entries of API requests (start, request sent, first
 * byte and end of each, in ms of the page's clock) to a JSON file: where an upload's
 * requests waited, went out and were answered.
 */
export async function writeResourceTimings(page: Page, file: string): Promise<void> {
  const entries = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((entry) => new URL(entry.name).pathname.startsWith("/api/"))
      .map((entry) => {
        const timing = entry as PerformanceResourceTiming;
        return {
          path: new URL(timing.name).pathname,
          start: timing.startTime,
          requestStart: timing.requestStart,
          responseStart: timing.responseStart,
          end: timing.responseEnd,
        };
      }),
  );
  writeFileSync(file, JSON.stringify(entries, null, 1));
}

/**
 * Chooses `file` in the chart's file input and waits for "… was encrypted and saved."
 * @returns milliseconds
 */
export async function timeUpload(page: Page, file: string, name: string, limitMs: number): Promise<number> {
  const started = performance.now();
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByText(`${name} was encrypted and saved.`).waitFor({ timeout: limitMs });
  return performance.now() - started;
}

/**
 * Opens the file's record, presses "Download decrypted" and waits until the browser has
 * the whole file. @returns milliseconds, the downloaded size in bytes, and the way it came:
 * "service worker" when streamed through the download service worker (a /downloads/<id> URL,
 * client/records/streamed-download.ts), "blob" when built as a Blob first
 */
export async function timeDownload(
  page: Page,
  name: string,
  limitMs: number,
): Promise<{ ms: number; bytes: number; path: string; via: "service worker" | "blob" }> {
  await page.getByTestId("group-document").getByRole("button", { name }).click();
  const started = performance.now();
  const downloading = page.waitForEvent("download", { timeout: limitMs });
  // The page's own error (the browser would not keep the file, a refusal) ends the wait at once.
  const alert = page.locator(".file-viewer [role=alert]");
  const refused = alert.waitFor({ timeout: limitMs }).then(async () => {
    throw new Error(`the page said: ${await alert.innerText()}`);
  });
  // Whichever loses the race below is settled later (at limitMs at most), and not a failure then.
  refused.catch(() => undefined);
  downloading.catch(() => undefined);
  await page.getByRole("button", { name: "Download decrypted" }).click();
  const download = await Promise.race([downloading, refused]);
  const handedOverMs = performance.now() - started;
  const saved = await download.path().catch(async (error: unknown) => {
    const failure = await download.failure().catch(() => null);
    throw new Error(
      `${String(error)} (the page handed the file to the browser after ${(handedOverMs / 1000).toFixed(1)} s, the browser gave up ${((performance.now() - started - handedOverMs) / 1000).toFixed(1)} s later: ${failure})`,
    );
  });
  const ms = performance.now() - started;
  const via = new URL(download.url()).pathname.startsWith("/downloads/") ? "service worker" : "blob";
  return { ms, bytes: statSync(saved).size, path: saved, via };
}

/** Imports a FHIR file through the chart's import form; waits for "Imported N records." */
export async function importThroughPage(page: Page, file: string, expected: string, limitMs: number): Promise<void> {
  await page.getByLabel("Bundle file (.json)").setInputFiles(file);
  const plan = page.getByTestId("import-plan");
  await plan.getByRole("button", { name: `Import ${expected} records` }).click({ timeout: limitMs });
  await page.getByText(`Imported ${expected} records.`).waitFor({ timeout: limitMs });
}
