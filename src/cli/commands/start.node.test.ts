// `nalssi start` in live mode (KMA_SERVICE_KEY set), through the real bin against the KMA mock: real
// time, no bundled import, the Worker's crons scheduled from wrangler.toml, one catch-up ingest at
// once (recorded in the job history whatever KMA answers), and the key never printed. Plus usage
// errors (exit 2). The replay path is tested with the dashboard (src/http/dashboard/*.browser.node.test.ts).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmaMock, type KmaMock } from "../../../test/kma-mock/server.ts";
import { DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "../../adapters/workers/crons.ts";

const BIN = fileURLToPath(new URL("../../../bin/nalssi.js", import.meta.url));

let mock: KmaMock;
let dir: string;

beforeAll(async () => {
  mock = await startKmaMock();
  dir = await mkdtemp(join(tmpdir(), "nalssi-start-live-"));
});

afterAll(async () => {
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string, stop: () => void) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ADMIN_TOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    const line = stdout.split("\n").find((l) => l.startsWith("{"));
    if (line && onLine) {
      const cb = onLine;
      onLine = undefined;
      cb(line, () => child.kill("SIGTERM"));
    }
  });
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("nalssi start, live", () => {
  it("runs in real time with the crons of wrangler.toml, ingests once at once, records it, and never prints the key", async () => {
    let summary: Record<string, any> = {};
    let jobs: { ingest_runs: { job: string; status: string; errorClass: string | null }[] } = { ingest_runs: [] };
    const t0 = Date.now();
    const result = await run(
      ["start", "--json", "--port", "0", "--data-dir", join(dir, "live")],
      { KMA_SERVICE_KEY: mock.serviceKey, KMA_BASE_URL: mock.baseUrl },
      (line, stop) => {
        summary = JSON.parse(line);
        void (async () => {
          // The catch-up ingest runs in the background: wait for its two runs (nowcast + forecast).
          for (let i = 0; i < 100; i++) {
            jobs = (await (await fetch(`${summary.url}/v1/jobs`)).json()) as typeof jobs;
            if (jobs.ingest_runs.filter((r) => r.status !== "running").length >= 2) break;
            await new Promise((r) => setTimeout(r, 200));
          }
          stop();
        })();
      },
    );
    expect(result.code).toBe(0);
    expect(summary.mode).toBe("live");
    expect(summary.import).toBeUndefined();
    expect(summary.replay).toBeUndefined();
    expect(summary.schedule.map((s: { cron: string }) => s.cron).sort()).toEqual([HOURLY_INGEST_CRON, DAILY_PIPELINE_CRON].sort());
    const daily = new Date(summary.schedule.find((s: { job: string }) => s.job === "daily_pipeline").next);
    expect([daily.getUTCHours(), daily.getUTCMinutes()]).toEqual([18, 30]);
    // No model yet: the forecast says why instead of inventing one.
    expect(summary.forecast.status).toBe(503);
    // The catch-up ingest asked KMA for the issues that are newest now (real time, KST dates).
    const nowcast = mock.requests.find((r) => r.operation === "getUltraSrtNcst");
    expect(nowcast).toBeDefined();
    const kstToday = new Date(t0 + 9 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, "");
    const kstYesterday = new Date(t0 + 9 * 3_600_000 - 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
    expect([kstToday, kstYesterday]).toContain(nowcast!.params.base_date);
    expect(jobs.ingest_runs.map((r) => r.job).sort()).toEqual(["ultra_srt_ncst", "vilage_fcst"]);
    for (const text of [result.stdout, result.stderr, JSON.stringify(jobs)]) {
      expect(text).not.toContain(mock.serviceKey);
      expect(text).not.toContain(encodeURIComponent(mock.serviceKey));
    }
  }, 60_000);

  it("exits 2 on usage errors, naming the problem", async () => {
    const badPort = await run(["start", "--port", "http"], {});
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a whole number/);
    const badEnv = await run(["start", "--port", "0", "--data-dir", join(dir, "bad")], { FORECAST_WINDOW_DAYS: "3" });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/FORECAST_WINDOW_DAYS must be a number/);
    const badKey = await run(["start", "--port", "0", "--data-dir", join(dir, "bad")], { KMA_SERVICE_KEY: "not a key" });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/KMA_SERVICE_KEY/);
  }, 60_000);

  it("fails at once, before preparing anything, when the port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await run(["start", "--port", String(port), "--data-dir", join(dir, "never")], { KMA_SERVICE_KEY: "" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(existsSync(join(dir, "never"))).toBe(false);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
