// The pipeline runner (Airflow's role): runs named steps in order for one location and logical date,
// each with its own retry policy, timed and recorded (pipeline_runs / pipeline_steps), under a lease
// so that two runs for the same location never overlap. The same step functions run in-process on
// Node, Deno or a Worker (retries with p-retry) or as Cloudflare Workflows steps (retries by
// Workflows): only the `StepExecutor` differs.
import { randomHex } from "../../ids/random.ts";
import pRetry, { AbortError } from "p-retry";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Logger } from "../../ports/logger.ts";
import { reconcileAbandonedRuns, runLeaseTtlMs, unrefTimer } from "../../db/run-liveness.ts";
import { acquireLease, type Lease, LeaseHeldError, releaseLease, renewLease } from "./lease.ts";
import { errorClassOf, oneLineMessage, type RunLog, type RunRecord, type Runner, type Trigger } from "./run-log.ts";

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  factor: number;
}

export const NO_RETRY: RetryPolicy = { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 0, factor: 1 };

/** JSON-serialisable step output: it is stored, and Workflows persists it between steps. */
export type StepOutput = Record<string, unknown>;

/** Thrown by a step that must not be retried (bad data, a decision): the run fails at once. */
export class PermanentStepError extends Error {
  override name = "PermanentStepError";
}

export interface StepContext<C> {
  ctx: C;
  runId: string;
  locationId: string;
  runDate: string;
  /** Outputs of the steps before this one, by step name. */
  outputs: Readonly<Record<string, StepOutput>>;
}

export interface StepDef<C> {
  name: string;
  retry: RetryPolicy;
  run(s: StepContext<C>): Promise<StepOutput>;
}

export interface PipelineDef<C> {
  name: string;
  steps: readonly StepDef<C>[];
}

/**
 * How steps and bookkeeping are executed. In-process: `once` just calls, `step` retries with
 * p-retry. In Cloudflare Workflows both are `step.do` (durable: replayed from their stored results
 * when the instance resumes), so every side effect of the runner happens exactly once.
 */
export interface PipelineExecutor {
  once<T>(name: string, fn: () => Promise<T>): Promise<T>;
  step(step: { name: string; retry: RetryPolicy }, attempt: () => Promise<StepOutput>): Promise<StepOutput>;
}

export function inProcessExecutor(opts: { logger?: Logger } = {}): PipelineExecutor {
  return {
    once: (_name, fn) => fn(),
    step: (step, attempt) =>
      pRetry(
        async () => {
          try {
            return await attempt();
          } catch (e) {
            // Permanent errors and programming errors are not retried.
            if (e instanceof PermanentStepError || e instanceof TypeError || e instanceof RangeError) throw new AbortError(e as Error);
            throw e;
          }
        },
        {
          retries: step.retry.retries,
          minTimeout: step.retry.minTimeoutMs,
          maxTimeout: step.retry.maxTimeoutMs,
          factor: step.retry.factor,
          randomize: true,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) =>
            opts.logger?.warn("pipeline step attempt failed", { step: step.name, attempt: attemptNumber, retriesLeft, error: oneLineMessage(error) }),
        },
      ),
  };
}

export interface RunOptions {
  db: Database;
  clock: Clock;
  log: RunLog;
  logger: Logger;
  locationId: string;
  runDate: string;
  trigger: Trigger;
  runner: Runner;
  runId?: string;
  /**
   * Lease time to live. In-process runs renew it every quarter of it while steps run (also during a
   * long step) and before each step, so a killed runner frees it within this time: default 60 s.
   * Workflows runs renew it before each step only (a step may wait minutes to be retried): 15 min.
   */
  leaseTtlMs?: number;
  /**
   * When another run holds the lease but it expires within this time (its holder probably died and
   * stopped renewing it), wait for it instead of failing at once. Default 0 (fail at once).
   */
  waitForLeaseMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function acquireOrWait(opts: RunOptions, name: string, holder: string, ttl: number): Promise<Lease> {
  const deadline = opts.clock.now().getTime() + (opts.waitForLeaseMs ?? 0);
  for (;;) {
    try {
      return await acquireLease(opts.db, opts.clock, name, holder, ttl);
    } catch (e) {
      if (!(e instanceof LeaseHeldError)) throw e;
      const now = opts.clock.now().getTime();
      const expires = Date.parse(e.expiresAt);
      if (!(expires + 1000 <= deadline) || now >= deadline) throw e;
      opts.logger.warn("pipeline lease held; waiting for it to expire (its holder renews it while alive)", {
        lease: name,
        holder: e.holder,
        expiresAt: e.expiresAt,
      });
      await sleep(Math.max(250, Math.min(expires + 1000 - now, 5_000)));
    }
  }
}

export function newRunId(clock: Clock): string {
  const t = clock
    .now()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const rand = randomHex(4);
  return `${t}-${rand}`;
}

export function leaseName(pipeline: string, locationId: string): string {
  return `pipeline:${pipeline}:${locationId}`;
}

/**
 * Runs the pipeline once. Throws LeaseHeldError (without recording a run) when another run for the
 * same pipeline and location holds the lease; otherwise returns the recorded run, succeeded or failed.
 */
export async function runPipeline<C>(def: PipelineDef<C>, ctx: C, opts: RunOptions, exec: PipelineExecutor): Promise<RunRecord> {
  const runId = opts.runId ?? newRunId(opts.clock);
  const inProcess = opts.runner === "in_process";
  const ttl = opts.leaseTtlMs ?? (inProcess ? runLeaseTtlMs() : 15 * 60_000);
  if (inProcess) {
    // Runs whose process died (kill -9, power loss) are closed as failed (abandoned) first.
    const r = await reconcileAbandonedRuns(opts.db, opts.clock);
    if (r.pipelineRuns + r.trainingRuns + r.ingestRuns > 0) opts.logger.warn("marked runs whose process died as failed (abandoned)", { ...r });
  }
  const lease: Lease = await exec.once("lease", () => acquireOrWait(opts, leaseName(def.name, opts.locationId), runId, ttl));
  // In-process heartbeat: the lease stays held while a step runs, however long it takes.
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  if (inProcess) {
    heartbeat = setInterval(() => void renewLease(opts.db, opts.clock, lease, ttl).catch(() => undefined), Math.max(250, Math.floor(ttl / 4)));
    unrefTimer(heartbeat);
  }
  try {
    await exec.once("start", async () => {
      await opts.log.startRun({
        id: runId,
        pipeline: def.name,
        locationId: opts.locationId,
        runDate: opts.runDate,
        trigger: opts.trigger,
        runner: opts.runner,
        steps: def.steps.map((s) => s.name),
      });
      opts.logger.info("pipeline run started", { pipeline: def.name, runId, location: opts.locationId, runDate: opts.runDate });
      return true;
    });
    const outputs: Record<string, StepOutput> = {};
    for (const step of def.steps) {
      const held = await exec.once(`${step.name}:lease`, () => renewLease(opts.db, opts.clock, lease, ttl));
      if (!held) {
        const error = new PermanentStepError(`lost the lease ${lease.name} before step ${step.name}`);
        await exec.once(`${step.name}:failed`, () => opts.log.finishRun(runId, { ok: false, step: step.name, error }).then(() => true));
        return await exec.once("result", async () => (await opts.log.getRun(runId))!);
      }
      let output: StepOutput;
      try {
        output = await exec.step(step, async () => {
          const attempt = await opts.log.stepStarted(runId, step.name);
          const started = opts.clock.now().getTime();
          try {
            const out = await step.run({ ctx, runId, locationId: opts.locationId, runDate: opts.runDate, outputs });
            // duration_ms is the attempt that succeeded; attempts says how many it took
            await opts.log.stepFinished(runId, step.name, { status: "succeeded", durationMs: opts.clock.now().getTime() - started, output: out });
            return out;
          } catch (e) {
            await opts.log.stepAttemptFailed(runId, step.name, attempt, e, opts.clock.now().getTime() - started);
            throw e;
          }
        });
      } catch (e) {
        const error = e instanceof AbortError ? e.originalError : e;
        await exec.once(`${step.name}:failed`, async () => {
          await opts.log.stepFailed(runId, step.name, error);
          await opts.log.finishRun(runId, { ok: false, step: step.name, error });
          return true;
        });
        opts.logger.error("pipeline run failed", { pipeline: def.name, runId, step: step.name, errorClass: errorClassOf(error), error: oneLineMessage(error) });
        return await exec.once("result", async () => (await opts.log.getRun(runId))!);
      }
      outputs[step.name] = output;
    }
    await exec.once("finish", () => opts.log.finishRun(runId, { ok: true }).then(() => true));
    opts.logger.info("pipeline run succeeded", { pipeline: def.name, runId });
    return await exec.once("result", async () => (await opts.log.getRun(runId))!);
  } finally {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    await exec.once("release", () => releaseLease(opts.db, lease).then(() => true));
  }
}
