import { startTrainingLanes, trainMaxConcurrent } from "./training-lanes.ts";
import { kstDate } from "../../time/kst.ts";
import { randomHex } from "../../ids/random.ts";
import { type Cron, DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "./crons.ts";
import type { Env } from "./env.ts";
import { hourlyIngestFanOut } from "./ingest-queue.ts";
import { workerLocations } from "./locations.ts";
import { type ScheduledJob, workerLogger } from "./scheduled-run.ts";

export { type ScheduledJob, type ScheduledRun, workerLogger } from "./scheduled-run.ts";
import type { ScheduledController } from "./workers-types.ts";

export { DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "./crons.ts";

/** A training Workflows instance id: location, logical date and 8 random hex digits (a re-run is a new instance). */
export function trainInstanceId(location: string, runDate: string): string {
  return `train-${location}-${runDate}-${randomHex(4)}`;
}

/**
 * The daily pipeline (check data, train, evaluate, register, promote, notify) for the "30 18 * * *"
 * cron (03:30 KST): one Cloudflare Workflows instance per location, at most TRAIN_MAX_CONCURRENT
 * (default 4) at a time: the cron starts the head of each lane and every instance starts the next
 * location of its lane when it ends (src/adapters/workers/training-lanes.ts). The instance id names
 * location and date; the pipeline's lease keeps two runs of a location from overlapping.
 */
export const DAILY_PIPELINE: ScheduledJob = async ({ scheduledTime, env, logger }) => {
  if (!env.TRAIN_WORKFLOW) throw new Error("the TRAIN_WORKFLOW binding is missing: add the [[workflows]] entry from wrangler.toml");
  const runDate = kstDate(new Date(scheduledTime));
  const locations = workerLocations(env).map((l) => l.id);
  const r = await startTrainingLanes(env.TRAIN_WORKFLOW, {
    locations,
    runDate,
    trigger: "cron",
    maxConcurrent: trainMaxConcurrent(env.TRAIN_MAX_CONCURRENT),
    tag: crypto.randomUUID().slice(0, 8),
    logger,
  });
  logger.info("training lanes started", { run_date: runDate, started: r.started.length, queued: r.queued });
};

/**
 * The hourly ingest of every configured location, as the Worker runs it: planned within the KMA
 * call budget and fanned out through INGEST_QUEUE (src/adapters/workers/ingest-queue.ts).
 */
export const hourlyIngest: ScheduledJob = (run) => hourlyIngestFanOut(run);

/** cron expression -> job, for exactly the crons of crons.ts. A cron with no entry fails the invocation. */
export const SCHEDULED_JOBS: Readonly<Record<string, ScheduledJob | undefined>> = {
  [HOURLY_INGEST_CRON]: hourlyIngest,
  [DAILY_PIPELINE_CRON]: DAILY_PIPELINE,
} satisfies Record<Cron, ScheduledJob>;

/** The Worker's `scheduled` handler: runs the job of `controller.cron`, logs, and rethrows failures. */
export async function runScheduled(
  controller: Pick<ScheduledController, "cron" | "scheduledTime">,
  env: Env,
  jobs: Readonly<Record<string, ScheduledJob | undefined>> = SCHEDULED_JOBS,
): Promise<void> {
  const { logger, redact } = workerLogger(env, { cron: controller.cron });
  const started = Date.now();
  try {
    if (!Object.hasOwn(jobs, controller.cron)) {
      throw new Error(
        `no job for cron "${controller.cron}" (known: ${Object.keys(jobs)
          .map((c) => `"${c}"`)
          .join(", ")}); wrangler.toml and src/adapters/workers/scheduled.ts disagree`,
      );
    }
    const job = jobs[controller.cron];
    if (job === undefined)
      throw new Error(`the job for cron "${controller.cron}" has no implementation yet (DAILY_PIPELINE in src/adapters/workers/scheduled.ts)`);
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
