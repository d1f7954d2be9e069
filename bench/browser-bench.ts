/**
 * Suite "browser" of npm run bench (alone: npm run bench -- browser) — prints figures,
 * asserts nothing. On the app's production build (started as npm start starts it, on an
 * empty PGlite or a fresh PostgreSQL database), in Debian's Chromium with a virtual
 * authenticator:
 *  - signin_to_unlocked_ms: /sign-in to the home page saying the vault is unlocked (median);
 *  - browser_upload_ratio / browser_download_ratio: a file of BENCH_BROWSER_FILE_MIB MiB (1,024;
 *    64 in quick mode) through the chart page, against libsodium's raw secretstream over the
 *    same bytes in a blank page of the same browser (crypto/'s baseline bundled with esbuild);
 *    the download streams through the download service worker to the browser's downloads
 *    (each download figure's note says "via service worker", or "via blob" when the page fell
 *    back to building a Blob);
 *  - browser_{upload,download}_heap_growth_mib: the page's JS heap during that upload or download (CDP);
 *  - browser_{upload,download}_{server,browser}_cpu_ms_per_mib: CPU the app's processes and all of
 *    Chromium's spent per MiB during each transfer (/proc), which a loaded machine moves far less
 *    than MiB/s;
 *  - api_read_ratio / api_read_p99_ms: the chart read (GET /api/records, its first page with the
 *    query the browser sent for it when the chart page loaded, after importing the 2,001
 *    observations of fixtures/real-world/08) with the session's cookie, then
 *    bench/bare-app's route handler, each under 50 connections for 20 s (5 s in quick mode) after a warm-up of the same load (5 s; 2 s),
 *    with autocannon; and api_read_same_size_ratio, against the bare handler answering a body
 *    of the chart page's size. api_read_server_cpu_ms / api_bare_server_cpu_ms: each server's
 *    CPU per answer during its load (/proc), and api_read_cpu_ratio their quotient, which a
 *    machine shared with other work moves far less than requests/s.
 * Ports: BENCH_PORT (3670) for the app, +2 for the bare app.
 * Knobs for a quick loop on the transfers: BENCH_BROWSER_UPLOADS=N times N uploads, each after
 * its own raw push, and reports the median ratio (one by default); BENCH_SKIP_API_READ=1 skips the import and the
 * api_read_* figures; BENCH_BROWSER_PROFILE_DIR=<dir> writes a CPU profile of the page during
 * the upload (CDP, upload.cpuprofile) and of each server process (app-<pid>.cpuprofile, written
 * when it stops: bench/browser/cpu-profile.mjs) into that directory, to open in Chrome's DevTools.
 * BENCH_BROWSER_NO_SERVICE_WORKER=1 blocks service workers in the benchmark's browser, so the download takes the
 * page's fallback (a Blob), to compare the two ways on one machine.
 * BENCH_READ_ONLY=1 measures the chart read alone (sign-up, the import, the load runs): no
 * sign-in timings, baseline, upload or download, for a quick loop on the read.
 */
import { linkSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type ConsoleMessage, type Page } from "@playwright/test";
import autocannon from "autocannon";
import { build } from "esbuild";
import { apiClientHeader } from "../contract/api-client-header";
import { addVirtualAuthenticator } from "../e2e/support/virtual-authenticator";
import { benchDataRoot } from "./bench-database";
import { benchDatabase, median, quickMode, reportFigure } from "./figures";
import {
  chromiumCpuMs,
  cpuProfiler,
  heapSampler,
  importThroughPage,
  mainText,
  writeResourceTimings,
  patternFile,
  signUpPatient,
  timeDownload,
  timeSignInToUnlocked,
  timeUpload,
} from "./browser/page-flows";
import { startApp, startBareApp, type RunningServer } from "./browser/servers";

const quick = quickMode();
const fileMiB = Number(process.env.BENCH_BROWSER_FILE_MIB ?? (quick ? 64 : 1024));
const loadSeconds = quick ? 5 : 20;
/**
 * Seconds of the same load before each measured one, not counted: a server just started (or,
 * for the app, just past the browser's import) compiles its hot code, opens its database
 * connections and prepares their statements under the first seconds of load. Both servers get
 * the same.
 */
const warmUpSeconds = quick ? 2 : 5;
const connections = 50;
const port = Number(process.env.BENCH_PORT ?? 3670);
const transferLimitMs = Number(process.env.BENCH_BROWSER_TRANSFER_MINUTES ?? 10) * 60_000;
const signIns = quick ? 3 : 5;
const readOnly = process.env.BENCH_READ_ONLY === "1";
const skipApiRead = process.env.BENCH_SKIP_API_READ === "1";
const uploadRounds = Math.max(1, Number(process.env.BENCH_BROWSER_UPLOADS ?? 1));
const profileDir = process.env.BENCH_BROWSER_PROFILE_DIR ? path.resolve(process.env.BENCH_BROWSER_PROFILE_DIR) : null;
const mibPerSecond = (mebibytes: number, ms: number) => mebibytes / (ms / 1000);

/** The in-page baseline (bench/browser/raw-baseline-entry.ts) as one script. */
async function baselineScript(): Promise<string> {
  const bundled = await build({
    entryPoints: [path.join(__dirname, "browser", "raw-baseline-entry.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "warning",
  });
  return bundled.outputFiles[0]!.text;
}

/** The upload's figures and the download's, each reported null with a reason when its transfer did not finish. */
const uploadKeys = [
  "browser_upload_ratio",
  "browser_upload_mib_s",
  "browser_upload_heap_growth_mib",
  "browser_upload_rss_growth_mib",
  "browser_upload_server_cpu_ms_per_mib",
  "browser_upload_browser_cpu_ms_per_mib",
] as const;
const downloadKeys = [
  "browser_download_ratio",
  "browser_download_mib_s",
  "browser_download_heap_growth_mib",
  "browser_download_rss_growth_mib",
  "browser_download_server_cpu_ms_per_mib",
  "browser_download_browser_cpu_ms_per_mib",
] as const;

/** CPU ms the app's processes and Chromium's spent from now until `stop` (/proc; the server's is null off Linux). */
function cpuMeter(app: RunningServer): { stop(): { serverMs: number | null; browserMs: number } } {
  const serverBefore = app.cpuMs();
  const browserBefore = chromiumCpuMs();
  return {
    stop() {
      const serverAfter = app.cpuMs();
      return {
        serverMs: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
        browserMs: chromiumCpuMs() - browserBefore,
      };
    },
  };
}

interface LoadResult {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU ms the server's processes spent per 2xx answer during the load (null off Linux). */
  serverCpuMs: number | null;
}

/** 50 connections for `loadSeconds` on one URL of `server`, after `warmUpSeconds` of the same; requests/s counts 2xx answers only. */
async function load(server: RunningServer, url: string, headers: Record<string, string>): Promise<LoadResult> {
  await autocannon({ url, connections, duration: warmUpSeconds, headers });
  const cpuBefore = server.cpuMs();
  const result = await autocannon({ url, connections, duration: loadSeconds, headers });
  const cpuAfter = server.cpuMs();
  const served = result["2xx"];
  return {
    rps: served / (result.duration || loadSeconds),
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMs: cpuBefore === null || cpuAfter === null || served === 0 ? null : (cpuAfter - cpuBefore) / served,
  };
}

/**
 * The browser transfer figures on the signed-in `page`: sign-in to unlocked, then the raw
 * baseline and the upload and download of `upload` through the chart page (which it leaves open).
 */
async function measureTransfers(page: Page, app: RunningServer, label: string, upload: string, uploadName: string, script: string): Promise<void> {
  const database = benchDatabase();
  const signInTimes: number[] = [];
  for (let round = 0; round < signIns; round++) signInTimes.push(await timeSignInToUnlocked(page));
  console.log(`sign-in to unlocked: ${signInTimes.map((ms) => ms.toFixed(0)).join(", ")} ms`);
  reportFigure("signin_to_unlocked_ms", median(signInTimes), { note: `median of ${signIns}, ${database}` });

  // The baseline first, in a blank page of the same browser: the same bytes, read the same way.
  const blank = await page.context().newPage();
  await blank.setContent('<input type="file" id="file">');
  await blank.addScriptTag({ content: script });
  await blank.setInputFiles("#file", upload);
  const rawPushMs = () =>
    blank.evaluate(async () => {
      const input = document.getElementById("file") as HTMLInputElement;
      const baseline = (globalThis as unknown as { hscBaseline: { pushFile(file: Blob): Promise<number> } }).hscBaseline;
      return baseline.pushFile(input.files![0]!);
    });
  const pushMs = await rawPushMs();
  const pullMs = await blank.evaluate(
    (chunks) => (globalThis as unknown as { hscBaseline: { pullChunks(count: number): Promise<number> } }).hscBaseline.pullChunks(chunks),
    fileMiB,
  );
  reportFigure("browser_raw_push_mib_s", mibPerSecond(fileMiB, pushMs), { note: label });
  reportFigure("browser_raw_pull_mib_s", mibPerSecond(fileMiB, pullMs), { note: label });
  reportFigure("browser_file_mib", fileMiB, { note: label });

  await page.getByRole("link", { name: "My records" }).first().click();
  await page.waitForURL(/\/chart/);
  let heap = await heapSampler(page);
  const profile = profileDir ? await cpuProfiler(page) : null;
  let uploadMs: number | null = null;
  let cpu = cpuMeter(app);
  try {
    uploadMs = await timeUpload(page, upload, uploadName, transferLimitMs);
  } catch (error) {
    console.error(`upload: ${String(error)}`);
  }
  const uploadCpu = cpu.stop();
  const uploadHeap = await heap.stop();
  if (profile && profileDir) {
    await profile.stop(path.join(profileDir, "upload.cpuprofile"));
    await writeResourceTimings(page, path.join(profileDir, "upload-requests.json"));
  }
  if (uploadMs === null) {
    await blank.close();
    const reason = `the upload did not finish within ${transferLimitMs / 60_000} min`;
    for (const key of [...uploadKeys, ...downloadKeys]) reportFigure(key, null, { reason });
  } else {
    const uploadRate = mibPerSecond(fileMiB, uploadMs);
    console.log(`upload ${(uploadMs / 1000).toFixed(1)} s (${uploadRate.toFixed(1)} MiB/s), raw push ${mibPerSecond(fileMiB, pushMs).toFixed(1)} MiB/s`);
    // More rounds (BENCH_BROWSER_UPLOADS): each a raw push then an upload of the same bytes under another name; the median ratio is reported.
    const rounds = [{ ratio: uploadRate / mibPerSecond(fileMiB, pushMs), rate: uploadRate }];
    for (let round = 2; round <= uploadRounds; round++) {
      const copy = path.join(benchDataRoot, `upload-${fileMiB}mib-${round}.bin`);
      rmSync(copy, { force: true });
      linkSync(upload, copy);
      const roundPushMs = await rawPushMs();
      const roundMs = await timeUpload(page, copy, path.basename(copy), transferLimitMs);
      rmSync(copy, { force: true });
      const rate = mibPerSecond(fileMiB, roundMs);
      console.log(
        `upload ${round}: ${(roundMs / 1000).toFixed(1)} s (${rate.toFixed(1)} MiB/s), raw push ${mibPerSecond(fileMiB, roundPushMs).toFixed(1)} MiB/s`,
      );
      rounds.push({ ratio: rate / mibPerSecond(fileMiB, roundPushMs), rate });
    }
    await blank.close();
    const roundsNote = uploadRounds > 1 ? `${label}; median of ${uploadRounds} uploads (${rounds.map((entry) => entry.ratio.toFixed(3)).join(", ")})` : label;
    reportFigure("browser_upload_ratio", median(rounds.map((entry) => entry.ratio)), { note: roundsNote });
    reportFigure("browser_upload_mib_s", median(rounds.map((entry) => entry.rate)), { note: roundsNote });
    reportFigure("browser_upload_heap_growth_mib", uploadHeap.peakGrowthMiB, { note: `${label}; heap before ${uploadHeap.baselineMiB.toFixed(0)} MiB` });
    reportFigure("browser_upload_rss_growth_mib", uploadHeap.peakResidentGrowthMiB, { note: label });
    console.log(
      `upload CPU per MiB: server ${uploadCpu.serverMs === null ? "?" : (uploadCpu.serverMs / fileMiB).toFixed(1)} ms, Chromium ${(uploadCpu.browserMs / fileMiB).toFixed(1)} ms`,
    );
    reportFigure("browser_upload_server_cpu_ms_per_mib", uploadCpu.serverMs === null ? null : uploadCpu.serverMs / fileMiB, { note: label });
    reportFigure("browser_upload_browser_cpu_ms_per_mib", uploadCpu.browserMs / fileMiB, { note: label });

    heap = await heapSampler(page);
    cpu = cpuMeter(app);
    const pageErrors: string[] = [];
    const onConsole = (message: ConsoleMessage) => {
      if (message.type() === "error" || message.type() === "warning") pageErrors.push(`${message.type()}: ${message.text()}`);
    };
    page.on("console", onConsole);
    let downloadFailure: string | null = null;
    const downloaded = await timeDownload(page, uploadName, transferLimitMs).catch(async (error: unknown) => {
      downloadFailure = String(error).split("\n")[0]!.slice(0, 300);
      // What the page, the browser and the server said, so a failed download can be told apart from a slow one.
      console.error(`download: ${String(error)}`);
      const shown = await page
        .locator(".file-viewer [role=alert], .file-viewer [role=status]")
        .allInnerTexts()
        .catch(() => []);
      console.error(`download: the page shows ${JSON.stringify(shown)}; its console said ${JSON.stringify(pageErrors.slice(-20))}`);
      console.error(`download: the server's log ends with:\n${app.log?.() ?? "(not kept)"}`);
      return null;
    });
    page.off("console", onConsole);
    const downloadCpu = cpu.stop();
    const downloadHeap = await heap.stop();
    if (downloaded && downloaded.bytes === fileMiB * 1024 * 1024) {
      const downloadRate = mibPerSecond(fileMiB, downloaded.ms);
      console.log(
        `download ${(downloaded.ms / 1000).toFixed(1)} s (${downloadRate.toFixed(1)} MiB/s) via ${downloaded.via}, raw pull ${mibPerSecond(fileMiB, pullMs).toFixed(1)} MiB/s`,
      );
      const downloadNote = `${label}; via ${downloaded.via}`;
      reportFigure("browser_download_ratio", downloadRate / mibPerSecond(fileMiB, pullMs), { note: downloadNote });
      reportFigure("browser_download_mib_s", downloadRate, { note: downloadNote });
      reportFigure("browser_download_heap_growth_mib", downloadHeap.peakGrowthMiB, { note: downloadNote });
      reportFigure("browser_download_rss_growth_mib", downloadHeap.peakResidentGrowthMiB, { note: downloadNote });
      console.log(
        `download CPU per MiB: server ${downloadCpu.serverMs === null ? "?" : (downloadCpu.serverMs / fileMiB).toFixed(1)} ms, Chromium ${(downloadCpu.browserMs / fileMiB).toFixed(1)} ms`,
      );
      reportFigure("browser_download_server_cpu_ms_per_mib", downloadCpu.serverMs === null ? null : downloadCpu.serverMs / fileMiB, { note: downloadNote });
      reportFigure("browser_download_browser_cpu_ms_per_mib", downloadCpu.browserMs / fileMiB, { note: downloadNote });
    } else {
      const reason = downloaded
        ? `the download had ${downloaded.bytes} bytes, not ${fileMiB * 1024 * 1024}`
        : (downloadFailure ?? `the download did not finish within ${transferLimitMs / 60_000} min`);
      for (const key of downloadKeys) reportFigure(key, null, { reason });
    }
    if (downloaded) rmSync(downloaded.path, { force: true });
  }
}

async function main() {
  const database = benchDatabase();
  const label = `${fileMiB} MiB${quick ? " (quick)" : ""}, ${database}`;
  const upload = path.join(benchDataRoot, `upload-${fileMiB}mib.bin`);
  const uploadName = path.basename(upload);
  const script = await baselineScript();
  mkdirSync(benchDataRoot, { recursive: true });
  if (!readOnly) await patternFile(upload, fileMiB);

  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const app: RunningServer = await startApp(port, database, profileDir ? { cpuProfileDir: profileDir } : {});
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({
      baseURL: app.url,
      acceptDownloads: true,
      serviceWorkers: process.env.BENCH_BROWSER_NO_SERVICE_WORKER === "1" ? "block" : "allow",
    });
    // Headless Chromium cannot answer the save dialog the chart uses for files of 64 MiB and more, and
    // would wait on it for ever: the download is timed through the path every browser without that
    // dialog takes, streamed through the download service worker (client/records/streamed-download.ts).
    await context.addInitScript(() => Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true, writable: true }));
    const page = await context.newPage();
    await page.goto("/");
    await addVirtualAuthenticator(page, { prf: true });
    await signUpPatient(page, "Bench Patient");

    let readContext = context;
    let readPage = page;
    if (!readOnly) {
      await measureTransfers(page, app, label, upload, uploadName, script);
      // The chart read from a patient of its own, in a fresh context: after the transfers' sign-outs and
      // sign-ins, "Unlock with passkey" on this page asked the server for options and then waited on the
      // virtual authenticator for ever (unexplained; a person's browser is not driven so).
      readContext = await browser.newContext({ baseURL: app.url });
      readPage = await readContext.newPage();
      await readPage.goto("/");
      await addVirtualAuthenticator(readPage, { prf: true });
      await signUpPatient(readPage, "Bench Reader");
    }
    await readPage.getByRole("link", { name: "My records" }).first().click();
    await readPage.waitForURL(/\/chart/);

    if (skipApiRead) {
      console.log("api_read_*: skipped (BENCH_SKIP_API_READ=1)");
      return;
    }
    // A chart worth reading: the 2,001 observations of a real-world export.
    await importThroughPage(readPage, path.resolve(__dirname, "..", "fixtures", "real-world", "08-2001-observations.json"), "2,001", 10 * 60_000);
    // The chart's first page exactly as the browser asks for it: the chart loaded afresh.
    // Longer than Playwright's 30 s default: the page loads and unlocks first.
    const firstPageRequest = readPage.waitForRequest(
      (request) => {
        const url = new URL(request.url());
        return request.method() === "GET" && url.pathname === "/api/records" && !url.searchParams.has("cursor");
      },
      { timeout: 90_000 },
    );
    // What the page asked for, printed if the first page never comes.
    const seen: string[] = [];
    readPage.on("request", (request) => seen.push(`${request.method()} ${request.url()}`));
    await readPage.goto("/chart");
    await readPage.getByRole("button", { name: "Unlock with passkey" }).click({ timeout: 60_000 });
    const readPath = ((url) => url.pathname + url.search)(
      new URL(
        (
          await firstPageRequest.catch(async (error: unknown) => {
            console.error(
              `chart read: no first-page request at ${readPage.url()}; the page shows "${await mainText(readPage)}"; requests: ${JSON.stringify(seen.slice(-30))}`,
            );
            throw error;
          })
        ).url(),
      ),
    );
    const cookies = await readContext.cookies(app.url);
    await browser.close();
    browser = null;

    const cookie = cookies.map((entry) => `${entry.name}=${entry.value}`).join("; ");
    const readHeaders = { cookie, [apiClientHeader.name]: apiClientHeader.value };
    const pageBytes = (await (await fetch(`${app.url}${readPath}`, { headers: readHeaders })).arrayBuffer()).byteLength;
    const read = await load(app, `${app.url}${readPath}`, readHeaders);
    await app.stop();
    const bare = await startBareApp(port + 2);
    const baseline = await load(bare, `${bare.url}/api/small`, {});
    const sameSize = await load(bare, `${bare.url}/api/sized?bytes=${pageBytes}`, {});
    await bare.stop();
    const loadNote = `${connections} connections × ${loadSeconds} s after ${warmUpSeconds} s of warm-up${quick ? " (quick)" : ""}, ${database}; GET ${readPath}, the chart's first page as the browser asks for it, chart of 2,001 records (${read.non2xx} non-2xx, ${read.errors} errors, autocannon times out at 10 s)`;
    console.log(`chart read ${read.rps.toFixed(1)}/s p99 ${read.p99} ms; bare handler ${baseline.rps.toFixed(1)}/s p99 ${baseline.p99} ms`);
    reportFigure("api_read_ratio", read.rps / baseline.rps, { note: loadNote });
    reportFigure("api_read_p99_ms", read.p99, { note: loadNote });
    reportFigure("api_read_rps", read.rps, { note: loadNote });
    reportFigure("api_bare_rps", baseline.rps, { note: `${baseline.non2xx} non-2xx, ${baseline.errors} errors` });
    reportFigure("api_bare_p99_ms", baseline.p99);
    console.log(`server CPU per answer: chart read ${read.serverCpuMs?.toFixed(2)} ms, bare handler ${baseline.serverCpuMs?.toFixed(2)} ms`);
    reportFigure("api_read_server_cpu_ms", read.serverCpuMs, { note: loadNote });
    reportFigure("api_bare_server_cpu_ms", baseline.serverCpuMs);
    reportFigure("api_read_cpu_ratio", read.serverCpuMs && baseline.serverCpuMs ? baseline.serverCpuMs / read.serverCpuMs : null, { note: loadNote });
    console.log(`bare handler with a ${(pageBytes / 1000).toFixed(0)} KB body ${sameSize.rps.toFixed(1)}/s p99 ${sameSize.p99} ms`);
    reportFigure("api_read_page_kb", pageBytes / 1000, { note: loadNote });
    reportFigure("api_read_same_size_ratio", read.rps / sameSize.rps, { note: loadNote });
    reportFigure("api_bare_same_size_rps", sameSize.rps, { note: `${sameSize.non2xx} non-2xx, ${sameSize.errors} errors` });
    reportFigure("api_bare_same_size_server_cpu_ms", sameSize.serverCpuMs);
  } finally {
    await browser?.close();
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
