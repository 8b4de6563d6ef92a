// Runs the daily training pipeline once, in-process (Node, Deno, or a Worker without Workflows),
// with the same step functions and records as the Workflows runner.
import type { LightGBM } from "../../model/lightgbm-wasm/lightgbm.ts";
import { Registry } from "../../registry/registry.ts";
import { Tracker } from "../../tracking/tracker.ts";
import { RunLog, type RunRecord, type Trigger } from "../pipeline/run-log.ts";
import { inProcessExecutor, type PipelineExecutor, runPipeline } from "../pipeline/runner.ts";
import { kstDate, type TrainingDeps, trainingPipeline } from "./pipeline.ts";

/** What a caller provides: everything the pipeline needs except the tracker and registry, built here. */
export type TrainingSetup = Omit<TrainingDeps, "tracker" | "registry">;

export function trainingDeps(s: TrainingSetup): TrainingDeps {
  // One LightGBM instance per pipeline run: steps reuse it, and it is dropped with the run.
  let lgb: Promise<LightGBM> | undefined;
  return {
    ...s,
    loadLightGBM: () => (lgb ??= s.loadLightGBM()),
    tracker: new Tracker({ db: s.db, objects: s.objects, clock: s.clock, logger: s.logger }),
    registry: new Registry({ db: s.db, objects: s.objects, clock: s.clock, logger: s.logger }),
  };
}

export interface TrainRequest {
  location: string;
  /** Logical date (KST, YYYY-MM-DD); default: today in KST. */
  runDate?: string;
  trigger: Trigger;
  /** Wait this long for a lease whose holder stopped renewing it (see RunOptions.waitForLeaseMs). */
  waitForLeaseMs?: number;
}

/** `executor` defaults to the in-process one (callers may wrap it, e.g. to show progress per step). */
export async function runTraining(
  s: TrainingSetup,
  req: TrainRequest,
  executor: PipelineExecutor = inProcessExecutor({ logger: s.logger }),
): Promise<RunRecord> {
  const runDate = req.runDate ?? kstDate(s.clock.now());
  return runPipeline(
    trainingPipeline(),
    trainingDeps(s),
    {
      db: s.db,
      clock: s.clock,
      log: new RunLog(s.db, s.clock),
      logger: s.logger,
      locationId: req.location,
      runDate,
      trigger: req.trigger,
      runner: "in_process",
      ...(req.waitForLeaseMs !== undefined ? { waitForLeaseMs: req.waitForLeaseMs } : {}),
    },
    executor,
  );
}
