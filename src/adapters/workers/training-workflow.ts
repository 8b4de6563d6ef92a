// The daily training pipeline as a Cloudflare Workflow: the same step functions and records as the
// in-process runner (src/jobs/train/), with Workflows' durable steps and retries. Every side effect
// of the runner goes through step.do, so a resumed or replayed instance does each exactly once.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import { assertSchemaCurrent } from "../../db/schema-version.ts";
import { RunLog } from "../../jobs/pipeline/run-log.ts";
import type { PipelineExecutor, RetryPolicy, StepOutput } from "../../jobs/pipeline/runner.ts";
import { PermanentStepError, runPipeline } from "../../jobs/pipeline/runner.ts";
import { trainingPipeline } from "../../jobs/train/pipeline.ts";
import { trainingDeps } from "../../jobs/train/run-training.ts";
import { jsonLinesLogger } from "../../logging/line-loggers.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/worker.ts";
import { systemClock } from "../../ports/clock.ts";
import { withRetries } from "../../storage/with-retries.ts";
import pkg from "../../../package.json" with { type: "json" };
import type { Env } from "./env.ts";

import type { TrainingParams } from "./training-params.ts";
import { startNextInLane } from "./training-lanes.ts";

function retriesOf(p: RetryPolicy) {
  return p.retries > 0 ? { retries: { limit: p.retries, delay: Math.max(p.minTimeoutMs, 1000), backoff: "exponential" as const } } : {};
}

/** Workflows re-creates a step's error as a plain Error "Name: message"; give it its name back. */
function restoreError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const m = /^([A-Z][A-Za-z]*Error): ([\s\S]*)$/.exec(e.message.replace(/^(NonRetryableError: )+/, ""));
  if (!m) return e;
  const err = new Error(m[2]);
  err.name = m[1]!;
  return err;
}

/** Runner bookkeeping and steps as Workflows steps (outputs are JSON, as Workflows requires). */
export function workflowExecutor(step: WorkflowStep): PipelineExecutor {
  return {
    once: <T>(name: string, fn: () => Promise<T>) => step.do(name, async () => JSON.parse(JSON.stringify(await fn())) as never) as Promise<T>,
    step: async (s: { name: string; retry: RetryPolicy }, attempt: () => Promise<StepOutput>) => {
      try {
        return (await step.do(s.name, { ...retriesOf(s.retry), timeout: "10 minutes" }, async () => {
          try {
            return JSON.parse(JSON.stringify(await attempt())) as never;
          } catch (e) {
            // A permanent error (bad data, a decision) must not be retried by Workflows either.
            if (e instanceof PermanentStepError) throw new NonRetryableError(`${e.name}: ${e.message}`);
            throw e;
          }
        })) as StepOutput;
      } catch (e) {
        throw restoreError(e);
      }
    },
  };
}

export class TrainingWorkflow extends WorkflowEntrypoint<Env, TrainingParams> {
  override async run(event: Readonly<WorkflowEvent<TrainingParams>>, step: WorkflowStep): Promise<unknown> {
    const { location, runDate, trigger } = event.payload;
    const logger = jsonLinesLogger((line) => console.log(line), { minLevel: "info" });
    const { db } = openWorkersDatabase(this.env);
    let result: Record<string, unknown> | undefined;
    let failure: unknown;
    try {
      // Migrations are a deploy step; a schema behind this code fails the run before it records anything.
      await assertSchemaCurrent(db);
      const objects = withRetries(createR2ObjectStore(this.env.OBJECTS), {});
      const deps = trainingDeps({
        db,
        objects,
        clock: systemClock,
        logger,
        loadLightGBM: () => loadLightGBM(),
        code: { packageVersion: pkg.version, gitCommit: null },
      });
      const run = await runPipeline(
        trainingPipeline(),
        deps,
        {
          db,
          clock: systemClock,
          log: new RunLog(db, systemClock),
          logger,
          locationId: location,
          runDate,
          trigger,
          runner: "workflow",
          runId: event.instanceId,
        },
        workflowExecutor(step),
      );
      result = { runId: run.id, status: run.status, errorStep: run.errorStep, errorMessage: run.errorMessage };
    } catch (e) {
      failure = e;
    } finally {
      db.close();
    }
    // The next location of this lane starts whatever happened here (training-lanes.ts), so one
    // location's failure never stalls the others.
    const wf = this.env.TRAIN_WORKFLOW;
    const next = wf
      ? await step.do("start_next", { retries: { limit: 3, delay: 1000, backoff: "exponential" } }, () =>
          startNextInLane(wf, event.payload, event.instanceId.slice(-8)),
        )
      : null;
    if (failure !== undefined) throw failure;
    return { ...result, next };
  }
}
