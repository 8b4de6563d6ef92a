// `nalssi start` end to end, and the dashboard in a real headless Chromium (Debian's chromium +
// playwright-core): the first start on an empty data folder imports the bundled Seoul data, trains,
// promotes and serves; the page loads with no console errors and shows the forecast value (the
// API's) and the chart; it is usable by keyboard and at phone width; a second start on the same
// folder skips the import and the training and serves within seconds.
// Skipped (with a message) only when /usr/bin/chromium is missing; CI installs it (.ci/run).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const BIN = fileURLToPath(new URL("../../../bin/nalssi.js", import.meta.url));
const hasChromium = existsSync(CHROMIUM);
/** Screenshots are kept here (outside the removed temp folder) for people to look at. */
const shotDir = join(tmpdir(), "nalssi-dashboard-screenshots");
if (!hasChromium) console.warn(`dashboard browser test SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); CI installs it`);

describe.runIf(!hasChromium && process.env.NALSSI_REQUIRE_BROWSER_TEST === "1")("the dashboard browser test", () => {
  it("must run in CI (.ci/run sets NALSSI_REQUIRE_BROWSER_TEST=1 after installing chromium)", () => {
    expect.fail(`${CHROMIUM} is missing, so the dashboard browser test cannot run`);
  });
});

interface Started {
  child: ChildProcess;
  summary: Record<string, any>;
  ms: number;
  stderr: () => string;
}

/** Runs `nalssi start --json` on a free port and waits for its one JSON line. */
function startNalssi(dataDir: string): Promise<Started> {
  const t0 = performance.now();
  // No KMA key: the offline replay, whatever the environment of the test run.
  const env = { ...process.env, KMA_SERVICE_KEY: "", ADMIN_TOKEN: "" };
  const child = spawn(process.execPath, [BIN, "start", "--json", "--port", "0", "--data-dir", dataDir], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => void (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nalssi start did not serve within 120 s; stderr: ${err}`)), 120_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        clearTimeout(timer);
        resolve({ child, summary: JSON.parse(line), ms: performance.now() - t0, stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nalssi start exited with ${code} before serving; stderr: ${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

describe("nalssi start, and the dashboard in headless Chromium", () => {
  let dir: string;
  let first: Started;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nalssi-start-"));
    first = await startNalssi(join(dir, "state"));
    if (hasChromium) {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      await mkdir(shotDir, { recursive: true });
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (first?.child) await stop(first.child);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(width: number, colorScheme: "light" | "dark" = "light"): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(`${first.summary.url}/dashboard`);
    await page.waitForSelector("body[data-loaded]", { timeout: 30_000 });
    expect(await page.getAttribute("body", "data-loaded")).toBe("true");
    return page;
  }

  it("prepared everything on the first start: imported, trained, promoted, serving a replay", () => {
    const s = first.summary;
    console.log(`first nalssi start: serving after ${(first.ms / 1000).toFixed(1)} s (ready_ms ${s.ready_ms})`);
    expect(s.mode).toBe("replay");
    expect(s.import.status).toBe("imported");
    expect(s.import.rows.inserted).toBe(8760);
    expect(s.training.status).toBe("trained");
    expect(s.replay.now).toBe("2018-11-30T14:00:00.000Z");
    expect(s.forecast.next24).toEqual({ min: expect.any(Number), max: expect.any(Number), p10_min: expect.any(Number), p90_max: expect.any(Number) });
    expect(s.forecast.hours).toBe(48);
    expect(s.forecast.at24.p10).toBeLessThanOrEqual(s.forecast.at24.temperature);
    expect(s.dashboard).toBe(`${s.url}/dashboard`);
    expect(first.ms).toBeLessThan(60_000);
  });

  describe.skipIf(!hasChromium)("the dashboard in Chromium", () => {
    it("loads with no console errors and shows the forecast value, the replay note and the chart", async () => {
      const page = await open(1280);
      const api = (await (await fetch(`${first.summary.url}/v1/forecast?location=seoul`)).json()) as {
        hourly: { temperature_2m: number[]; temperature_2m_p10: number[]; temperature_2m_p90: number[] };
        model: { version: string };
      };
      const at24 = (xs: number[]) => xs[23]!.toFixed(1).replace(".", "\\.");
      await expect(page.getByTestId("forecast-value").innerText()).resolves.toMatch(
        new RegExp(
          `^${at24(api.hourly.temperature_2m)}\\s*°C\\s*at Sat, 1 Dec 2018, 23:00 KST \\(80 %: ${at24(api.hourly.temperature_2m_p10)} to ${at24(api.hourly.temperature_2m_p90)} °C\\)$`,
        ),
      );
      // The next 48 h: a line with both bands, every hour in the table behind it.
      const fc = await page.getByTestId("forecast-chart").locator("canvas").boundingBox();
      expect(fc!.width).toBeGreaterThan(500);
      await expect(page.getByTestId("forecast-chart").locator(".u-legend").innerText()).resolves.toMatch(/Model[\s\S]*80 %[\s\S]*95 %[\s\S]*Persistence/);
      expect(await page.locator("#forecast-cards details tbody tr").count()).toBe(48);
      // Verification by lead: RMSE and coverage against lead, 48 leads in the table.
      for (const id of ["#lead-rmse", "#lead-coverage"]) expect((await page.locator(`${id} canvas`).boundingBox())!.height).toBeGreaterThan(100);
      await expect(page.locator("#lead-rmse .u-legend").innerText()).resolves.toMatch(/Model[\s\S]*Persistence[\s\S]*Diurnal persistence[\s\S]*Climatology/);
      expect(await page.locator("#lead-table-body tbody tr").count()).toBe(48);
      // The quality flags: the Seoul file's 2018-11-29 spike.
      await expect(page.getByTestId("quality-flags").innerText()).resolves.toMatch(/1 stored observation of .* flagged at import \(temperature_c: 1\)/);
      // The hindcast chart follows the chosen lead.
      await page.selectOption("#v-lead", "6");
      await page.waitForFunction(() => document.getElementById("verification-note")?.textContent?.includes("for 6 h later"));
      await expect(page.getByTestId("coverage").innerText()).resolves.toMatch(/80 % interval: \d+\.\d\s%/);
      await expect(page.locator("#forecast-cards").innerText()).resolves.toContain(api.model.version);
      await expect(page.locator("#replay-note").innerText()).resolves.toContain("2018-11-30 23:00 KST");
      // uPlot drew both charts, with the series in the legend.
      for (const id of ["#chart-temp", "#chart-rmse"]) {
        const box = await page.locator(`${id} canvas`).boundingBox();
        expect(box!.width).toBeGreaterThan(500);
        expect(box!.height).toBeGreaterThan(100);
      }
      await expect(page.locator("#chart-temp .u-legend").innerText()).resolves.toMatch(/Observed[\s\S]*Model \(hindcast\)[\s\S]*Persistence/);
      // Climatology (in the scores table) is drawn too: its legend entry is not switched off.
      expect(await page.locator("#chart-temp .u-legend tr.u-series", { hasText: "Climatology" }).evaluate((tr) => tr.classList.contains("u-off"))).toBe(false);
      // Wide enough: no table needs the "scroll sideways" hint.
      expect(await page.locator(".scroll-box[data-overflows]").count()).toBe(0);
      // Replay (2018) and real-time (this year) dates side by side: every date has its year, and
      // the gate's reason shows its holdout range in KST, not as UTC ISO instants.
      await expect(page.locator("#registry-body").innerText()).resolves.toMatch(/16 Nov 2018, 00:00 KST – Fri, 30 Nov 2018, 00:00 KST/);
      await expect(page.locator("#registry-body .history").innerText()).resolves.not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      // The only run is not pre-ticked under "tick two or more".
      expect(await page.locator("#runs-body input[type=checkbox]:checked").count()).toBe(0);
      await expect(page.locator("#verification-scores").innerText()).resolves.toMatch(/Model \(hindcast\)\s+\d+\.\d\d/);
      // Registry, runs and the job grid are filled from the API.
      await expect(page.locator("#registry-body").innerText()).resolves.toContain(api.model.version);
      expect(await page.locator("#runs-body tbody tr").count()).toBeGreaterThanOrEqual(1);
      const cells = page.locator("#jobs-body .cell-succeeded");
      expect(await cells.count()).toBeGreaterThanOrEqual(8); // 7 pipeline steps + the import
      const shot = join(shotDir, "dashboard-1280.png");
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`dashboard screenshot: ${shot}`);
      await page.close();
      expect(problems).toEqual([]);
    });

    it("is usable by keyboard, labels every control, and details a job step on Enter", async () => {
      const page = await open(1280);
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
      // Every form control has a label; every table a caption; the chart regions are labelled.
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("input, select, button")]
          .filter((el) => !(el.getAttribute("aria-label") || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.textContent?.trim()))
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unlabelled).toEqual([]);
      // (uPlot's legend is a table of its own; ours all have captions.)
      expect(
        await page.evaluate(
          () => [...document.querySelectorAll("table:not(.u-legend)")].filter((t) => !t.querySelector("caption")?.textContent?.trim()).length,
        ),
      ).toBe(0);
      expect(await page.getAttribute("#chart-temp", "aria-label")).toMatch(/model RMSE \d/);
      // A grid cell is a button: focus it and press Enter to read the step's details.
      const cell = page.locator("#jobs-body button.cell").first();
      await cell.focus();
      await page.keyboard.press("Enter");
      await expect(page.locator("#job-detail").innerText()).resolves.toMatch(/check_data: succeeded/);
      await page.close();
      expect(problems).toEqual([]);
    });

    it("fits a phone screen (390 px) without sideways scrolling, in dark mode too", async () => {
      const page = await open(390, "dark");
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      expect(await page.getByTestId("forecast-value").isVisible()).toBe(true);
      const box = await page.locator("#chart-temp canvas").boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      for (const id of ["#lead-rmse", "#lead-coverage"]) expect((await page.locator(`${id} canvas`).boundingBox())!.width).toBeLessThanOrEqual(390);
      expect((await page.getByTestId("forecast-chart").locator("canvas").boundingBox())!.width).toBeLessThanOrEqual(390);
      // Tables wider than the phone say they scroll (the hint above them); the ones that fit do not.
      for (const id of ["#registry-body", "#runs-body"]) {
        const region = page.locator(`${id} .scroll-box`).first();
        expect(await region.evaluate((b) => b.hasAttribute("data-overflows"))).toBe(true);
        expect(await region.locator(".scroll-hint").isVisible()).toBe(true);
      }
      // The ingest grid's only cell is on screen (it used to sit beyond the right edge).
      const ingestCell = await page.locator("#jobs-body .scroll-box").nth(1).locator("button.cell").boundingBox();
      expect(ingestCell!.x).toBeGreaterThanOrEqual(0);
      expect(ingestCell!.x + ingestCell!.width).toBeLessThanOrEqual(390);
      const shot = join(shotDir, "dashboard-390-dark.png");
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`dashboard screenshot: ${shot}`);
      await page.close();
      expect(problems).toEqual([]);
    });
  });

  it("a second start on the same folder skips import and training and serves within seconds; Ctrl-C exits 0", async () => {
    expect(await stop(first.child)).toBe(0);
    const second = await startNalssi(join(dir, "state"));
    try {
      console.log(`second nalssi start: serving after ${(second.ms / 1000).toFixed(1)} s (ready_ms ${second.summary.ready_ms})`);
      expect(second.summary.import.status).toBe("already");
      expect(second.summary.training.status).toBe("production");
      expect(second.summary.forecast.next24).toEqual(first.summary.forecast.next24);
      expect(second.ms).toBeLessThan(15_000);
      const res = await fetch(`${second.summary.url}/healthz`);
      expect(res.status).toBe(200);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 60_000);
});
