// The local scheduler runs the Worker's cron jobs on the crons of wrangler.toml (read with
// smol-toml): every cron there has a local job, the times are UTC whatever the machine's zone, and a
// failing job is reported, not thrown into the timer.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CRONS, DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "../../adapters/workers/crons.ts";
import { localJobs, schedule, wranglerCrons } from "./schedule.ts";

describe("cron jobs from wrangler.toml", () => {
  it("reads the Worker's crons and has a local job for each, the same set as the Worker's dispatch table", async () => {
    const crons = await wranglerCrons();
    expect([...crons].sort()).toEqual([...CRONS].sort());
    expect(localJobs(crons)).toEqual(
      expect.arrayContaining([
        { cron: HOURLY_INGEST_CRON, job: "hourly_ingest" },
        { cron: DAILY_PIPELINE_CRON, job: "daily_pipeline" },
      ]),
    );
  });

  it("names a cron that has no local job, and a file without a cron list", async () => {
    expect(() => localJobs(["0 0 * * *"])).toThrow(/"0 0 \* \* \*", which has no local job/);
    const dir = await mkdtemp(join(tmpdir(), "nalssi-toml-"));
    try {
      const path = join(dir, "wrangler.toml");
      await writeFile(path, 'name = "x"\n[triggers]\ncrons = "15 * * * *"\n');
      await expect(wranglerCrons(path)).rejects.toThrow(/\[triggers\] crons must be a list/);
      await expect(wranglerCrons(join(dir, "missing.toml"))).rejects.toThrow(/cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("schedules in UTC (03:30 KST = 18:30 UTC), and reports a failing run to onError", async () => {
    const s = schedule(
      localJobs([DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON]),
      async () => {},
      () => {},
    );
    try {
      const daily = s.jobs.find((j) => j.job === "daily_pipeline")!.next!;
      expect([daily.getUTCHours(), daily.getUTCMinutes()]).toEqual([18, 30]);
      const hourly = s.jobs.find((j) => j.job === "hourly_ingest")!.next!;
      expect(hourly.getUTCMinutes()).toBe(15);
      expect(hourly.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    } finally {
      s.stop();
    }
    // Every second, to see a run and its failure within the test.
    const errors: string[] = [];
    const runs: string[] = [];
    const every = schedule(
      [{ cron: "* * * * * *", job: "hourly_ingest" }],
      async (job) => {
        runs.push(job);
        throw new Error("KMA is down");
      },
      (job, e) => errors.push(`${job}: ${(e as Error).message}`),
    );
    try {
      await new Promise((r) => setTimeout(r, 2200));
    } finally {
      every.stop();
    }
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toBe("hourly_ingest: KMA is down");
  });
});
