// The Worker's scheduled handler inside workerd, end to end: the hourly cron fetches from the KMA mock
// (test/jobs/vitest-global-setup.ts) over fetch, stores raw payloads and a CSV partition in R2 (the
// OBJECTS binding from wrangler.toml) and rows in libSQL over HTTP (a Hrana dev server), logs JSON
// lines without secrets, and fails the invocation when a step fails. (SELF.scheduled() cannot be
// used: it fails with a DataCloneError, so the handler is called directly.)
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type {} from "../../../test/jobs/provided-context.ts";
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import type { Env } from "./env.ts";
import { DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "./scheduled.ts";
import worker from "./worker.ts";

const baseEnv = env as unknown as Env;
const testEnv: Env = {
  ...baseEnv,
  LIBSQL_URL: inject("jobsDbUrl"),
  LIBSQL_AUTH_TOKEN: inject("jobsDbToken"),
  KMA_BASE_URL: inject("kmaMockUrl"),
  KMA_SERVICE_KEY: inject("kmaMockServiceKey"),
};
// 02:15 KST on 2025-05-29 (the trigger's scheduledTime): the newest issues are the 02:00 ones the mock has.
const SCHEDULED_TIME = Date.UTC(2025, 4, 28, 17, 15);

const forms = (key: string) => [key, encodeURIComponent(key), encodeURIComponent(encodeURIComponent(key)), key.slice(0, 12)];

/** Runs the handler like the runtime does and collects what it printed. */
async function trigger(cron: string, e: Env): Promise<{ error: Error | undefined; lines: string[] }> {
  const lines: string[] = [];
  const original = { log: console.log, warn: console.warn, error: console.error };
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  console.log = capture;
  console.warn = capture;
  console.error = capture;
  const ctx = createExecutionContext();
  let error: Error | undefined;
  try {
    await worker.scheduled(createScheduledController({ cron, scheduledTime: SCHEDULED_TIME }), e);
  } catch (x) {
    error = x as Error;
  } finally {
    await waitOnExecutionContext(ctx);
    Object.assign(console, original);
  }
  return { error, lines };
}

const db = () => openWorkersDatabase(testEnv).db;

describe("scheduled handler (workerd)", () => {
  it("runs the hourly ingest into R2 and libSQL, and a second run changes nothing", async () => {
    const first = await trigger(HOURLY_INGEST_CRON, testEnv);
    expect(first.error).toBeUndefined();
    const records = first.lines.map((l) => JSON.parse(l) as { level: string; message: string; cron: string });
    expect(records.every((r) => r.cron === HOURLY_INGEST_CRON)).toBe(true);
    expect(records.map((r) => r.message)).toContain("scheduled job succeeded");

    const d = db();
    const runs = await d.execute("SELECT job, location_id, status, rows_inserted FROM ingest_runs ORDER BY id");
    expect(runs.rows.map((r) => ({ ...r }))).toEqual([
      // the hour's plan (src/jobs/ingest-plan.ts): seoul alone runs inline in the cron
      { job: "ingest_plan", location_id: null, status: "succeeded", rows_inserted: 0 },
      { job: "ultra_srt_ncst", location_id: "seoul", status: "succeeded", rows_inserted: 1 },
      { job: "vilage_fcst", location_id: "seoul", status: "succeeded", rows_inserted: 944 },
    ]);
    const obs = await d.execute("SELECT observed_at, source, temperature_c, raw_ref FROM observations");
    expect(obs.rows.map((r) => ({ ...r }))).toEqual([
      { observed_at: "2025-05-28T17:00:00Z", source: "ultra_srt_ncst", temperature_c: 17, raw_ref: "raw/kma/getUltraSrtNcst/seoul/2025-05-29/0200.json" },
    ]);
    expect((await d.execute("SELECT count(*) AS n FROM forecasts")).rows[0]!.n).toBe(944);

    const r2 = createR2ObjectStore(baseEnv.OBJECTS);
    const objects = await r2.list();
    expect(objects.map((o) => o.key)).toEqual([
      "csv/observations/seoul/2025/2025-05-28.csv",
      "raw/kma/getUltraSrtNcst/seoul/2025-05-29/0200.json",
      "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json",
    ]);
    const raw = (await r2.get("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json"))!;
    expect(JSON.parse(new TextDecoder().decode(raw.body)).response.body.totalCount).toBe(944);

    const second = await trigger(HOURLY_INGEST_CRON, testEnv);
    expect(second.error).toBeUndefined();
    const finished = second.lines
      .map((l) => JSON.parse(l) as { message: string; steps?: { skipped: number; inserted: number }[] })
      .find((r) => r.message === "hourly ingest finished")!;
    expect(finished.steps!.map((s) => [s.inserted, s.skipped])).toEqual([
      [0, 1],
      [0, 944],
    ]);
    expect(await r2.list()).toEqual(objects);
    expect((await d.execute("SELECT count(*) AS n FROM forecasts")).rows[0]!.n).toBe(944);

    const text = [
      ...first.lines,
      ...second.lines,
      JSON.stringify((await d.execute("SELECT * FROM ingest_runs")).rows),
      new TextDecoder().decode(raw.body),
      JSON.stringify(raw.metadata),
    ].join("\n");
    for (const f of forms(testEnv.KMA_SERVICE_KEY!)) expect(text).not.toContain(f);
    expect(text).not.toContain(testEnv.LIBSQL_AUTH_TOKEN!);
    d.close();
  });

  it("fails the invocation on a KMA fault, records failed runs, and logs JSON without the key", async () => {
    const wrongKey = "Wr0ng+Key/Of+The/Same+Shape0123456789abcdefghijklmnopqrstuvwxyzAB==";
    const { error, lines } = await trigger(HOURLY_INGEST_CRON, { ...testEnv, KMA_SERVICE_KEY: wrongKey });
    expect(error).toBeDefined();
    expect(error!.message).toMatch(
      /^hourly ingest failed for 2 of 2 steps: seoul ultra_srt_ncst: KmaError:auth: getUltraSrtNcst: .*SERVICE_KEY_IS_NOT_REGISTERED_ERROR.*; seoul vilage_fcst: KmaError:auth: /,
    );
    const records = lines.map((l) => JSON.parse(l) as { level: string; message: string; error_class?: string });
    expect(records.filter((r) => r.level === "error").map((r) => r.message)).toEqual(["ingest step failed", "ingest step failed", "scheduled job failed"]);
    const d = db();
    const failed = await d.execute("SELECT job, status, error_class, error_message FROM ingest_runs WHERE status = 'failed' ORDER BY id");
    expect(failed.rows.map((r) => [r.job, r.status, r.error_class])).toEqual([
      ["ultra_srt_ncst", "failed", "KmaError:auth"],
      ["vilage_fcst", "failed", "KmaError:auth"],
    ]);
    const text = [...lines, error!.message, JSON.stringify(failed.rows)].join("\n");
    for (const f of forms(wrongKey)) expect(text).not.toContain(f);
    d.close();
  });

  it("fails the invocation when the key is missing, saying so", async () => {
    const { error, lines } = await trigger(HOURLY_INGEST_CRON, { ...testEnv, KMA_SERVICE_KEY: undefined });
    expect(error!.message).toBe("KMA_SERVICE_KEY is not set: add it with `wrangler secret put KMA_SERVICE_KEY`");
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ level: "error", message: "scheduled job failed", error: error!.message });
  });

  it("the daily cron starts a training Workflow per location, which runs the pipeline and records it in libSQL", async () => {
    const daily = await trigger(DAILY_PIPELINE_CRON, testEnv);
    expect(daily.error).toBeUndefined();
    const started = daily.lines
      .map((l) => JSON.parse(l) as { message: string; instance?: string; run_date?: string })
      .find((l) => l.message === "training workflow started");
    // 17:15 UTC on 2025-05-28 is 02:15 KST on 2025-05-29: the run's logical date.
    expect(started).toMatchObject({ location: "seoul", run_date: "2025-05-29" });
    const instance = await testEnv.TRAIN_WORKFLOW!.get(started!.instance!);
    let status = await instance.status();
    for (let i = 0; i < 200 && (status.status === "queued" || status.status === "running" || status.status === "waiting"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await instance.status();
    }
    expect(status.status).toBe("complete");
    // The test database holds one day of KMA data: the pipeline stops, permanently, at check_data.
    expect(status.output).toMatchObject({ runId: started!.instance, status: "failed", errorStep: "check_data" });
    const { db } = openWorkersDatabase(testEnv);
    const run = await db.execute({ sql: "SELECT runner, trigger, status, error_message FROM pipeline_runs WHERE id = ?", args: [started!.instance!] });
    expect(run.rows[0]).toMatchObject({ runner: "workflow", trigger: "cron", status: "failed" });
    expect(String(run.rows[0]!.error_message)).toMatch(/training needs at least 2160/);
    // A permanent error is not retried by Workflows either.
    const step = await db.execute({
      sql: "SELECT attempts, error_class FROM pipeline_steps WHERE run_id = ? AND step = 'check_data'",
      args: [started!.instance!],
    });
    expect(step.rows[0]).toMatchObject({ attempts: 1, error_class: "PermanentStepError" });
    db.close();
  });

  it("the daily cron trains 3 locations with at most 2 instances at a time: the third starts when its lane's first ends", async () => {
    const e: Env = { ...testEnv, LOCATIONS: "seoul,busan,jeju", TRAIN_MAX_CONCURRENT: "2" };
    const daily = await trigger(DAILY_PIPELINE_CRON, e);
    expect(daily.error).toBeUndefined();
    const logs = daily.lines.map(
      (l) => JSON.parse(l) as { message: string; instance?: string; location?: string; then?: string[]; started?: number; queued?: number },
    );
    const started = logs.filter((l) => l.message === "training workflow started");
    expect(started.map((l) => [l.location, l.then])).toEqual([
      ["seoul", ["jeju"]],
      ["busan", []],
    ]);
    expect(logs.find((l) => l.message === "training lanes started")).toMatchObject({ started: 2, queued: 1 });
    const done = async (id: string) => {
      const instance = await e.TRAIN_WORKFLOW!.get(id);
      let status = await instance.status();
      for (let i = 0; i < 300 && (status.status === "queued" || status.status === "running" || status.status === "waiting"); i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await instance.status();
      }
      return status;
    };
    const seoul = await done(started[0]!.instance!);
    const jejuId = started[0]!.instance!.replace("train-seoul-", "train-jeju-");
    expect(seoul.output).toMatchObject({ status: "failed", errorStep: "check_data", next: jejuId });
    expect((await done(started[1]!.instance!)).output).toMatchObject({ next: null });
    expect((await done(jejuId)).output).toMatchObject({ runId: jejuId, next: null });
    const { db } = openWorkersDatabase(testEnv);
    const runs = await db.execute({
      sql: `SELECT id, location_id, started_at, finished_at FROM pipeline_runs WHERE id IN (?, ?, ?) ORDER BY id`,
      args: [started[0]!.instance!, started[1]!.instance!, jejuId],
    });
    const by = Object.fromEntries(runs.rows.map((r) => [String(r.location_id), r]));
    expect(Object.keys(by).sort()).toEqual(["busan", "jeju", "seoul"]);
    // jeju waited for seoul, its lane's head.
    expect(String(by.jeju!.started_at) >= String(by.seoul!.finished_at)).toBe(true);
    db.close();
  });

  it("an unknown cron is an error", async () => {
    const unknown = await trigger("0 0 * * *", testEnv);
    expect(unknown.error!.message).toBe(
      'no job for cron "0 0 * * *" (known: "15 * * * *", "30 18 * * *"); wrangler.toml and src/adapters/workers/scheduled.ts disagree',
    );
  });
});
