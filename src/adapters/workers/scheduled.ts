// The Worker's cron triggers (wrangler.toml [triggers] crons), dispatched by `controller.cron`:
//   "15 * * * *"   hourly ingest (src/jobs/ingest.ts) into R2 (binding OBJECTS) and libSQL over HTTP
//                  (LIBSQL_URL / LIBSQL_AUTH_TOKEN), with KMA_SERVICE_KEY / KMA_BASE_URL: planned
//                  within KMA_DAILY_CALL_BUDGET and fanned out through INGEST_QUEUE
//                  (src/adapters/workers/ingest-queue.ts). The issues fetched are the newest at the
//                  trigger's scheduledTime, so a late or retried invocation fetches the same issues.
//   "30 18 * * *"  the daily training pipeline: a Cloudflare Workflows instance per location
//                  (DAILY_PIPELINE below, src/adapters/workers/training-workflow.ts).
// Every fault is recorded by the job (a failed ingest run row), logged as a JSON line without secrets,
// and then thrown, so the invocation shows as failed in Cloudflare's cron history.
import { normalizeServiceKey, redactSecret } from "../../kma/service-key.ts";
import { workerLocations } from "./locations.ts";
import { hourlyIngestFanOut } from "./ingest-queue.ts";
import { jsonLinesLogger } from "../../logging/line-loggers.ts";
import type { LogLevel } from "../../logging/line-loggers.ts";
import type { Logger } from "../../ports/logger.ts";
import { kstDate } from "../../jobs/train/pipeline.ts";
import type { Env } from "./env.ts";
import type { ExecutionContext, ScheduledController } from "./workers-types.ts";

export const HOURLY_INGEST_CRON = "15 * * * *";
export const DAILY_PIPELINE_CRON = "30 18 * * *";

export interface ScheduledRun {
  controller: ScheduledController;
  env: Env;
  ctx: ExecutionContext;
  logger: Logger;
  /** Removes the KMA key and the libSQL token from text. */
  redact: (text: string) => string;
}

export type ScheduledJob = (run: ScheduledRun) => Promise<void>;

/**
 * The daily pipeline (check data, train, evaluate, register, promote, notify) for the "30 18 * * *"
 * cron (03:30 KST): one Cloudflare Workflows instance per location (src/adapters/workers/training-workflow.ts),
 * for the KST date of the trigger. The instance id names location and date; re-running a date makes
 * a new instance (the pipeline's lease keeps two runs of a location from overlapping).
 */
export const DAILY_PIPELINE: ScheduledJob | undefined = async ({ controller, env, logger }) => {
  if (!env.TRAIN_WORKFLOW) throw new Error("the TRAIN_WORKFLOW binding is missing: add the [[workflows]] entry from wrangler.toml");
  const runDate = kstDate(new Date(controller.scheduledTime));
  for (const loc of workerLocations(env)) {
    const id = `train-${loc.id}-${runDate}-${crypto.randomUUID().slice(0, 8)}`;
    await env.TRAIN_WORKFLOW.create({ id, params: { location: loc.id, runDate, trigger: "cron" } });
    logger.info("training workflow started", { instance: id, location: loc.id, run_date: runDate });
  }
};

/**
 * The hourly ingest of every configured location, as the Worker runs it: planned within the KMA
 * call budget and fanned out through INGEST_QUEUE (src/adapters/workers/ingest-queue.ts).
 */
export const hourlyIngest: ScheduledJob = (run) => hourlyIngestFanOut(run);

/** cron expression -> job. A cron with no entry, or with an undefined entry, fails the invocation. */
export const SCHEDULED_JOBS: Readonly<Record<string, ScheduledJob | undefined>> = {
  [HOURLY_INGEST_CRON]: hourlyIngest,
  [DAILY_PIPELINE_CRON]: DAILY_PIPELINE,
};

export function workerLogger(env: Env, base: Record<string, unknown>): { logger: Logger; redact: (text: string) => string } {
  let key: string | undefined;
  try {
    key = env.KMA_SERVICE_KEY?.trim() ? normalizeServiceKey(env.KMA_SERVICE_KEY) : undefined;
  } catch {
    key = env.KMA_SERVICE_KEY?.trim();
  }
  const token = env.LIBSQL_AUTH_TOKEN?.trim() ?? "";
  const redact = (text: string) => {
    const t = redactSecret(text, key);
    return token.length >= 4 ? t.split(token).join("[REDACTED]") : t;
  };
  const write = (line: string, level: LogLevel) => (level === "error" ? console.error(line) : level === "warn" ? console.warn(line) : console.log(line));
  return { logger: jsonLinesLogger(write, { redact, base }), redact };
}

/** The Worker's `scheduled` handler: runs the job of `controller.cron`, logs, and rethrows failures. */
export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext, jobs: Readonly<Record<string, ScheduledJob | undefined>> = SCHEDULED_JOBS): Promise<void> {
  const { logger, redact } = workerLogger(env, { cron: controller.cron });
  const started = Date.now();
  try {
    if (!Object.hasOwn(jobs, controller.cron)) {
      throw new Error(`no job for cron "${controller.cron}" (known: ${Object.keys(jobs).map((c) => `"${c}"`).join(", ")}); wrangler.toml and src/adapters/workers/scheduled.ts disagree`);
    }
    const job = jobs[controller.cron];
    if (job === undefined) throw new Error(`the job for cron "${controller.cron}" has no implementation yet (DAILY_PIPELINE in src/adapters/workers/scheduled.ts)`);
    await job({ controller, env, ctx, logger, redact });
    logger.info("scheduled job succeeded", { ms: Date.now() - started });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    logger.error("scheduled job failed", { ms: Date.now() - started, error_class: error.name, error: redact(error.message) });
    const clean = new Error(redact(error.message));
    clean.name = error.name;
    throw clean;
  }
}
