// `nalssi start`: everything a newcomer needs in one command, offline and without an account.
//   - Opens (or creates) the data folder (default ./.nalssi: nalssi.db + objects/), applies migrations.
//   - Replay (no KMA_SERVICE_KEY, or --replay): imports the bundled real Seoul sample, runs the
//     training pipeline (train -> evaluate -> register -> promote) for the day after the newest
//     observation, and serves with the clock set to that newest observation — clearly a replay.
//   - Live (KMA_SERVICE_KEY set): real time; the Worker's cron jobs (hourly ingest, daily pipeline)
//     run in-process on the crons of wrangler.toml (src/cli/start/schedule.ts), and one ingest runs
//     at once to catch up.
//   - Serves the API and the dashboard (the Worker's Hono app) and prints the URLs.
// Each preparation step is skipped when already done, so a second start serves within seconds.
import { untilSignal } from "../until-signal.ts";
import process from "node:process";
import type { Command } from "commander";
import { runIngest } from "../../jobs/ingest.ts";
import { trainingPipeline } from "../../jobs/train/pipeline.ts";
import { kstDate, kstLabel } from "../../time/kst.ts";
import { runTraining } from "../../jobs/train/run-training.ts";
import { KmaClient } from "../../kma/client.ts";
import { DEFAULT_LOCATION_ID, DEFAULT_LOCATIONS, getLocation } from "../../locations/locations.ts";
import { textLogger } from "../../logging/line-loggers.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { systemClock, type Clock } from "../../ports/clock.ts";
import { getProduction } from "../../registry/aliases.ts";
import { ServingConfigError, servingConfigFromEnv } from "../../serving/index.ts";
import { replayClock } from "../../time/replay-clock.ts";
import { UsageError } from "../errors.ts";
import { importProgress } from "../import-progress.ts";
import { DEFAULT_DATA_DIR, openJobs, serviceKeyFromEnv } from "../job-setup.ts";
import { progressExecutor } from "../pipeline-progress.ts";
import { DATA_DIR_HELP } from "../registry-options.ts";
import { BUNDLED_SAMPLE_NAME, ensureBundledImport, ensureTrained, newestObservation, replayRunDate } from "../start/prepare.ts";
import { localJobs, schedule, wranglerCrons, type LocalJobName, type Scheduled } from "../start/schedule.ts";
import { checkPortFree, parsePort, startServer } from "../start/server.ts";
import { kmaFromEnv } from "./serve.ts";
import { inProcessJobRunners, settingsRedactor } from "../../compose.ts";
import pkg from "../../../package.json" with { type: "json" };
import { adminTokenProblem } from "../../http/admin-auth.ts";

interface StartOpts {
  port: string;
  host: string;
  dataDir: string;
  replay?: boolean;
  schedule: boolean;
  json?: boolean;
  verbose?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const REPLAY_REASON = `the bundled data (data/seoul/${BUNDLED_SAMPLE_NAME}, real hourly Seoul weather) ends here.`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const kst = kstLabel;

/** What the start summary reads of GET /v1/forecast (timezone=Asia/Seoul). */
interface HourlyBody {
  issued_at: string;
  model: { version: string };
  hourly: { time: string[]; temperature_2m: number[]; temperature_2m_p10: number[]; temperature_2m_p90: number[] };
}

/** The next 24 h in one line: the range of the forecast with the 80 % band's outer bounds, and the +24 h value with its band. */
export function forecastSummary(f: HourlyBody): {
  issued_at: string;
  next24: { min: number; max: number; p10_min: number; p90_max: number };
  at24: { time: string; temperature: number; p10: number; p90: number } | null;
  hours: number;
  text: string;
} {
  const h = f.hourly;
  const n = Math.min(24, h.time.length);
  const t = h.temperature_2m.slice(0, n);
  const next24 = {
    min: Math.min(...t),
    max: Math.max(...t),
    p10_min: Math.min(...h.temperature_2m_p10.slice(0, n)),
    p90_max: Math.max(...h.temperature_2m_p90.slice(0, n)),
  };
  const k = h.time.length >= 24 ? 23 : -1;
  const at24 = k < 0 ? null : { time: h.time[k]!, temperature: h.temperature_2m[k]!, p10: h.temperature_2m_p10[k]!, p90: h.temperature_2m_p90[k]! };
  const c = (x: number) => x.toFixed(1);
  const text =
    `next ${n} h ${c(next24.min)} to ${c(next24.max)} °C (80 % band ${c(next24.p10_min)} to ${c(next24.p90_max)} °C)` +
    (at24 ? `; ${c(at24.temperature)} °C [${c(at24.p10)}, ${c(at24.p90)}] at ${at24.time.replace("T", " ")} KST` : "") +
    `; ${h.time.length} hours in /v1/forecast`;
  return { issued_at: f.issued_at, next24, at24, hours: h.time.length, text };
}

export interface StartHandle {
  url: string;
  mode: "replay" | "live";
  stop(): Promise<void>;
}

/** Prepares the data folder and serves; resolves once serving (the handle stops everything). */
export async function startNalssi(
  opts: StartOpts,
  env: Env = process.env,
  out: (line: string) => void = (l) => void process.stdout.write(`${l}\n`),
): Promise<StartHandle> {
  const t0 = performance.now();
  const port = parsePort(opts.port);
  let config;
  try {
    config = servingConfigFromEnv(env);
  } catch (e) {
    if (e instanceof ServingConfigError) throw new UsageError(e.message);
    throw e;
  }
  const live = !opts.replay && Boolean(env.KMA_SERVICE_KEY?.trim());
  if (live) serviceKeyFromEnv(env); // a malformed key is a usage error now, not at the first cron
  const tokenProblem = adminTokenProblem(env.ADMIN_TOKEN); // refuse a guessable admin token before anything starts
  if (tokenProblem) throw new UsageError(tokenProblem);
  await checkPortFree(port, opts.host);
  const say = (line: string) => {
    if (!opts.json) out(line);
  };
  const opened = await openJobs({ dataDir: opts.dataDir, verbose: opts.verbose ?? false }, env);
  const { deps } = opened;
  const redact = settingsRedactor(env);
  const logger = textLogger((line) => void process.stderr.write(`nalssi start: ${line}\n`), { minLevel: opts.verbose ? "info" : "warn", redact });
  const jobDeps = { ...deps, logger, redact };
  const location = env.DEFAULT_LOCATION?.trim() || DEFAULT_LOCATION_ID;
  let scheduled: Scheduled | undefined;
  // Jobs started by the scheduler (or the catch-up ingest): stopping waits for them, so the database
  // is not closed under a running job.
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => {});
    return p;
  };
  const summary: Record<string, unknown> = { mode: live ? "live" : "replay", data_dir: opts.dataDir, database: opened.databaseLocation };
  try {
    say(
      `nalssi start: ${live ? "live (KMA_SERVICE_KEY is set): real time, KMA ingest on the Worker's crons" : "offline replay of bundled real data (no KMA_SERVICE_KEY)"}`,
    );
    say(`  data      ${opened.databaseLocation}, objects in ${opened.objectsFolder}`);
    let clock: Clock = systemClock;
    let replayDate: string | null = null;
    if (!live) {
      const progress = importProgress(`  import ${BUNDLED_SAMPLE_NAME}`, { plain: !opts.json });
      const imported = await ensureBundledImport(jobDeps, progress.onProgress).finally(() => progress.stop());
      summary.import =
        imported.status === "already"
          ? { status: "already", run_id: imported.runId }
          : { status: "imported", run_id: imported.result.runId, rows: imported.result.counts, ms: Math.round(imported.ms) };
      say(
        imported.status === "already"
          ? `  import    ${BUNDLED_SAMPLE_NAME}: already imported (run ${imported.runId})`
          : `  import    ${BUNDLED_SAMPLE_NAME}: ${imported.result.counts.inserted} hours inserted, ${imported.result.counts.updated} updated (run ${imported.result.runId}, ${seconds(imported.ms)})`,
      );
      const newest = await newestObservation(deps.db, location);
      if (newest === null) throw new Error(`no observed temperature for ${location} after importing the bundled sample`);
      replayDate = replayRunDate(newest);
      const steps = trainingPipeline().steps.map((s) => s.name);
      const p = progressExecutor(`  train ${location} ${replayDate}`, steps, { logger });
      const trained = await ensureTrained(
        { deps: jobDeps, loadLightGBM: () => loadLightGBM(), packageVersion: pkg.version, executor: p.executor },
        location,
        replayDate,
      ).finally(() => p.stop());
      if (trained.status === "production") {
        say(`  model     ${location}: production version ${trained.production.version} (already trained)`);
      } else if (trained.status === "already-ran") {
        say(`  model     ${location}: the ${replayDate} pipeline ran before (${trained.run.id}) and its model was not promoted; nothing is in production`);
      } else {
        const promote = trained.run.steps.find((s) => s.step === "promote")?.output as { promoted?: boolean; reason?: string } | null;
        const ev = trained.run.steps.find((s) => s.step === "evaluate")?.output as { rmse?: number; persistenceRmse?: number; skill?: number } | null;
        say(
          `  train     pipeline ${trained.run.id} for ${replayDate}: ${trained.run.status} in ${seconds(trained.ms)}; holdout RMSE ${ev?.rmse?.toFixed(2)} °C vs persistence ${ev?.persistenceRmse?.toFixed(2)} °C (skill ${((ev?.skill ?? NaN) * 100).toFixed(1)} %)`,
        );
        say(
          `  promote   ${promote?.promoted ? `version ${trained.production?.version} is in production` : `not promoted: ${promote?.reason ?? "see nalssi models"}`}`,
        );
      }
      summary.training = trained.status === "trained" ? { status: "trained", run_id: trained.run.id, ms: Math.round(trained.ms) } : { status: trained.status };
      clock = replayClock(new Date(newest), REPLAY_REASON);
      summary.replay = { now: new Date(newest).toISOString(), run_date: replayDate };
      say(`  replay    the clock is set to ${kst(newest)}, the newest observation: ${REPLAY_REASON}`);
    } else if (!(await getProduction(deps.db, location))) {
      say(`  model     ${location} has no production model yet: the daily pipeline needs 90 days of history first:`);
      say(
        `            npx nalssi backfill --location ${location} --from ${kstDate(new Date(Date.now() - 120 * 86_400_000))} --to ${kstDate(new Date(Date.now() - 86_400_000))} && npx nalssi train`,
      );
    }

    const server = await startServer({
      ports: {
        db: deps.db,
        objects: deps.objects,
        clock,
        logger,
        redact,
        loadLightGBM: () => loadLightGBM(),
        // In a replay, "today" is the replay date (training for the real date would find no recent
        // data), and a job without ?location= trains the replayed location only.
        jobs: (serving) =>
          inProcessJobRunners(jobDeps, serving, {
            kma: kmaFromEnv(env, jobDeps),
            loadLightGBM: () => loadLightGBM(),
            ...(replayDate === null ? {} : { runDate: replayDate, locations: [getLocation(DEFAULT_LOCATIONS, location)] }),
          }),
      },
      settings: env,
      config,
      port,
      host: opts.host,
    });
    const url = server.server.url;
    summary.url = url;
    summary.dashboard = `${url}/dashboard`;

    // The first forecast, answered in-process: proof that the whole path works.
    const res = await server.fetch(new Request(`${url}/v1/forecast?location=${encodeURIComponent(location)}&timezone=Asia/Seoul`));
    const body = (await res.json()) as Partial<HourlyBody> & { error?: { message: string } };
    if (res.ok) {
      const s = forecastSummary(body as HourlyBody);
      summary.forecast = { location, ...s, model: body.model?.version };
      say(`  forecast  ${location}: ${s.text} (issued from the ${body.issued_at!.replace("T", " ")} KST observation, model ${body.model?.version})`);
    } else {
      summary.forecast = { location, status: res.status, error: body.error?.message };
      say(`  forecast  ${location}: none yet (${res.status}: ${body.error?.message})`);
    }

    if (live && opts.schedule) {
      const jobs = localJobs(await wranglerCrons());
      const key = serviceKeyFromEnv(env);
      const kma = new KmaClient({ serviceKey: key, ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}), clock: systemClock, logger });
      const runJob = async (job: LocalJobName, at: Date) => {
        if (job === "hourly_ingest") {
          const r = await runIngest({ ...jobDeps, kma }, { locations: DEFAULT_LOCATIONS, at });
          const failed = r.steps.filter((s) => s.status === "failed");
          if (failed.length) throw new Error(failed.map((s) => `${s.locationId} ${s.job}: ${s.error?.class}: ${s.error?.message}`).join("; "));
          logger.info("hourly ingest done", { steps: r.steps.length });
        } else {
          for (const l of DEFAULT_LOCATIONS) {
            const run = await runTraining(
              {
                ...jobDeps,
                loadLightGBM: () => loadLightGBM(),
                code: { packageVersion: pkg.version },
                notifyServing: async (loc) => ({ serving: (await server.models.reload(loc)).version }),
              },
              { location: l.id, runDate: kstDate(at), trigger: "cron" },
            );
            if (run.status !== "succeeded") throw new Error(`${l.id}: failed at ${run.errorStep}: ${run.errorMessage}`);
          }
        }
      };
      const onError = (job: LocalJobName, e: unknown) =>
        process.stderr.write(`nalssi start: ${job} failed: ${redact((e as Error).message)} (recorded in the job history)\n`);
      scheduled = schedule(jobs, (job, at) => track(runJob(job, at)), onError);
      summary.schedule = scheduled.jobs.map((j) => ({ cron: j.cron, job: j.job, next: j.next?.toISOString() ?? null }));
      for (const j of scheduled.jobs) say(`  cron      ${j.job} on "${j.cron}" (UTC, from wrangler.toml); next ${j.next ? kst(j.next.getTime()) : "never"}`);
      // Catch up now instead of waiting for HH:15.
      void track(runJob("hourly_ingest", new Date())).catch((e: unknown) => onError("hourly_ingest", e));
    }

    summary.ready_ms = Math.round(performance.now() - t0);
    if (opts.json) out(JSON.stringify(summary));
    else {
      say(`nalssi: serving on ${url} (ready in ${seconds(performance.now() - t0)})`);
      say(`  dashboard ${url}/dashboard`);
      say(`  API docs  ${url}/docs`);
      say(`  forecast  ${url}/v1/forecast?location=${location}`);
      say(`  Ctrl-C stops it; the next start reuses ${opts.dataDir}.`);
    }
    return {
      url,
      mode: live ? "live" : "replay",
      stop: async () => {
        scheduled?.stop();
        if (inflight.size) say(`nalssi: waiting for ${inflight.size} running job(s) to finish`);
        await Promise.allSettled([...inflight]);
        await server.close();
        opened.close();
      },
    };
  } catch (e) {
    scheduled?.stop();
    opened.close();
    throw e;
  }
}

async function start(opts: StartOpts): Promise<void> {
  const handle = await startNalssi(opts);
  await untilSignal(() => handle.stop());
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("prepare the data folder (import the bundled Seoul data, train, promote) if needed, then serve the API and the dashboard")
    .option("--port <n>", "TCP port (0 = any free port)", "8787")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", DATA_DIR_HELP, DEFAULT_DATA_DIR)
    .option("--replay", "replay the bundled data even when KMA_SERVICE_KEY is set")
    .option("--no-schedule", "live mode: do not run the cron jobs in-process")
    .option("--json", "print one JSON line (URLs, what was prepared) once serving, instead of the text")
    .option("-v, --verbose", "log progress to stderr")
    .addHelpText(
      "after",
      `
Without KMA_SERVICE_KEY (or with --replay) it replays the bundled real Seoul data: the clock is set to
the newest observation (2018-11-30 23:00 KST) and the dashboard says so. With KMA_SERVICE_KEY it runs
in real time and runs the Worker's cron jobs in-process (crons read from wrangler.toml, in UTC).

Environment: KMA_SERVICE_KEY, KMA_BASE_URL, LIBSQL_URL, LIBSQL_AUTH_TOKEN, ADMIN_TOKEN, DEFAULT_LOCATION,
MODEL_RELOAD_SECONDS, FORECAST_MAX_AGE_MINUTES, FORECAST_WINDOW_DAYS, FORECAST_CACHE_SECONDS.
Exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 failure (import, training, port in use), 2 usage.`,
    )
    .action((opts: StartOpts) => start(opts));
}
