// The Worker's cron triggers (wrangler.toml [triggers] crons), dispatched by `controller.cron`:
//   "15 * * * *"   hourly ingest (src/jobs/ingest.ts) into R2 (binding OBJECTS) and libSQL over HTTP
//                  (LIBSQL_URL / LIBSQL_AUTH_TOKEN), with KMA_SERVICE_KEY / KMA_BASE_URL. The issues
//                  fetched are the newest at the trigger's scheduledTime, so a late or retried
//                  invocation fetches the same issues.
//   "30 18 * * *"  the daily training pipeline: a Cloudflare Workflows instance per location
//                  (DAILY_PIPELINE below, src/adapters/workers/training-workflow.ts).
// Every fault is recorded by the job (a failed ingest run row), logged as a JSON line without secrets,
// and then thrown, so the invocation shows as failed in Cloudflare's cron history.
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import { assertSchemaCurrent } from "../../db/schema-version.ts";
import { runIngest } from "../../jobs/ingest.ts";
import type { IngestStep } from "../../jobs/ingest.ts";
import { KmaClient } from "../../kma/client.ts";
import { KmaError } from "../../kma/errors.ts";
import { normalizeServiceKey } from "../../kma/service-key.ts";
import { DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import { jsonLinesLogger } from "../../logging/line-loggers.ts";
import type { LogLevel } from "../../logging/line-loggers.ts";
import type { Logger } from "../../ports/logger.ts";
import { systemClock } from "../../ports/clock.ts";
import { withRetries } from "../../storage/with-retries.ts";
import { kstDate } from "../../time/kst.ts";
import { randomHex } from "../../ids/random.ts";
import { settingsRedactor } from "../../compose.ts";
import { type Cron, DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "./crons.ts";
import type { Env } from "./env.ts";
import type { ScheduledController } from "./workers-types.ts";

export { DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "./crons.ts";

export interface ScheduledRun {
  /** The trigger's scheduled time (epoch ms): what "now" is for the job. */
  scheduledTime: number;
  env: Env;
  logger: Logger;
  /** Removes the KMA key and the libSQL token from text. */
  redact: (text: string) => string;
}

export type ScheduledJob = (run: ScheduledRun) => Promise<void>;

/** A training Workflows instance id: location, logical date and 8 random hex digits (a re-run is a new instance). */
export function trainInstanceId(location: string, runDate: string): string {
  return `train-${location}-${runDate}-${randomHex(4)}`;
}

/**
 * The daily pipeline (check data, train, evaluate, register, promote, notify) for the "30 18 * * *"
 * cron (03:30 KST): one Cloudflare Workflows instance per location (src/adapters/workers/training-workflow.ts),
 * for the KST date of the trigger. The instance id names location and date; re-running a date makes
 * a new instance (the pipeline's lease keeps two runs of a location from overlapping).
 */
export const DAILY_PIPELINE: ScheduledJob = async ({ scheduledTime, env, logger }) => {
  if (!env.TRAIN_WORKFLOW) throw new Error("the TRAIN_WORKFLOW binding is missing: add the [[workflows]] entry from wrangler.toml");
  const runDate = kstDate(new Date(scheduledTime));
  for (const loc of DEFAULT_LOCATIONS) {
    const id = trainInstanceId(loc.id, runDate);
    await env.TRAIN_WORKFLOW.create({ id, params: { location: loc.id, runDate, trigger: "cron" } });
    logger.info("training workflow started", { instance: id, location: loc.id, run_date: runDate });
  }
};

function stepSummary(s: IngestStep): string {
  return s.status === "failed" ? `${s.locationId} ${s.job}: ${s.error!.class}: ${s.error!.message}` : `${s.locationId} ${s.job}: CSV partition export ${s.exportError!.class}: ${s.exportError!.message}`;
}

/** The hourly ingest of every default location, as the Worker runs it. */
export const hourlyIngest: ScheduledJob = async ({ scheduledTime, env, logger, redact }) => {
  const rawKey = env.KMA_SERVICE_KEY?.trim();
  if (!rawKey) throw new Error("KMA_SERVICE_KEY is not set: add it with `wrangler secret put KMA_SERVICE_KEY`");
  let key: string;
  try {
    key = normalizeServiceKey(rawKey);
  } catch (e) {
    throw new Error(`KMA_SERVICE_KEY: ${(e as KmaError).message}`);
  }
  const { db, location } = openWorkersDatabase(env);
  try {
    await assertSchemaCurrent(db);
    const objects = withRetries(createR2ObjectStore(env.OBJECTS), {
      onRetry: (ev) => logger.warn("R2 call failed, retrying", { operation: ev.operation, key: ev.key, attempt: ev.attempt, error: ev.error.message }),
    });
    const kma = new KmaClient({ serviceKey: key, ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}), logger });
    const at = new Date(scheduledTime);
    logger.info("hourly ingest started", { scheduled_time: at.toISOString(), database: location, locations: DEFAULT_LOCATIONS.map((l) => l.id) });
    const result = await runIngest({ db, objects, clock: systemClock, logger, redact, kma }, { locations: DEFAULT_LOCATIONS, at });
    logger.info("hourly ingest finished", {
      ok: result.ok,
      steps: result.steps.map((s) => ({ location: s.locationId, job: s.job, status: s.status, base: s.baseDate ? `${s.baseDate} ${s.baseTime}` : null, run_id: s.runId, ...s.counts })),
    });
    if (!result.ok) {
      const bad = result.steps.filter((s) => s.status === "failed" || s.exportError);
      throw new Error(`hourly ingest failed for ${bad.length} of ${result.steps.length} steps: ${bad.map(stepSummary).join("; ")}`);
    }
  } finally {
    db.close();
  }
};

/** cron expression -> job, for exactly the crons of crons.ts. A cron with no entry fails the invocation. */
export const SCHEDULED_JOBS: Readonly<Record<string, ScheduledJob | undefined>> = {
  [HOURLY_INGEST_CRON]: hourlyIngest,
  [DAILY_PIPELINE_CRON]: DAILY_PIPELINE,
} satisfies Record<Cron, ScheduledJob>;

/** The Worker's JSON-lines logger on the console, without any secret of `env`. */
export function workerLogger(env: Env, base: Record<string, unknown>): { logger: Logger; redact: (text: string) => string } {
  const redact = settingsRedactor(env);
  const write = (line: string, level: LogLevel) => (level === "error" ? console.error(line) : level === "warn" ? console.warn(line) : console.log(line));
  return { logger: jsonLinesLogger(write, { redact, base }), redact };
}

/** The Worker's `scheduled` handler: runs the job of `controller.cron`, logs, and rethrows failures. */
export async function runScheduled(controller: Pick<ScheduledController, "cron" | "scheduledTime">, env: Env, jobs: Readonly<Record<string, ScheduledJob | undefined>> = SCHEDULED_JOBS): Promise<void> {
  const { logger, redact } = workerLogger(env, { cron: controller.cron });
  const started = Date.now();
  try {
    if (!Object.hasOwn(jobs, controller.cron)) {
      throw new Error(`no job for cron "${controller.cron}" (known: ${Object.keys(jobs).map((c) => `"${c}"`).join(", ")}); wrangler.toml and src/adapters/workers/scheduled.ts disagree`);
    }
    const job = jobs[controller.cron];
    if (job === undefined) throw new Error(`the job for cron "${controller.cron}" has no implementation yet (DAILY_PIPELINE in src/adapters/workers/scheduled.ts)`);
    await job({ scheduledTime: controller.scheduledTime, env, logger, redact });
    logger.info("scheduled job succeeded", { ms: Date.now() - started });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    logger.error("scheduled job failed", { ms: Date.now() - started, error_class: error.name, error: redact(error.message) });
    const clean = new Error(redact(error.message));
    clean.name = error.name;
    throw clean;
  }
}
