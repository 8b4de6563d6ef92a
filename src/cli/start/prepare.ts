// What `nalssi start` does before serving, each step skipped when already done (so a second start
// serves within seconds):
//   1. import the bundled real Seoul sample (data/seoul/SeoulBikeData.csv) unless an import of the
//      same bytes (SHA-256) already succeeded;
//   2. run the training pipeline (train -> evaluate -> register -> promote) for the replay date
//      unless the location has a production model, or that date's pipeline already succeeded (the
//      gate may have kept the model out of production: that is an answer, not a reason to retrain).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { runImportCsv, type ImportCsvResult, type ImportProgress } from "../../jobs/import-csv.ts";
import type { JobDeps } from "../../jobs/job-deps.ts";
import type { PipelineExecutor } from "../../jobs/pipeline/runner.ts";
import type { RunRecord } from "../../jobs/pipeline/run-log.ts";
import { TRAINING_PIPELINE } from "../../jobs/train/pipeline.ts";
import { kstDate } from "../../time/kst.ts";
import { runTraining } from "../../jobs/train/run-training.ts";
import type { LightGBM } from "../../model/lightgbm-wasm/lightgbm.ts";
import { HOUR_MS } from "../../model/series.ts";
import type { Database } from "../../ports/database.ts";
import { getProduction, type ProductionModel } from "../../registry/aliases.ts";
import { sha256Hex } from "../../ids/sha256.ts";
import { newestObservedAt } from "../../db/observations.ts";

/** The bundled sample: a year of real hourly Seoul weather (UCI Seoul Bike Sharing Demand, CC BY 4.0; data/seoul/PROVENANCE.md). */
export const BUNDLED_SAMPLE = fileURLToPath(new URL("../../../data/seoul/SeoulBikeData.csv", import.meta.url));
export const BUNDLED_SAMPLE_NAME = "SeoulBikeData.csv";

export type ImportOutcome = { status: "already"; runId: number } | { status: "imported"; result: ImportCsvResult; ms: number };

async function succeededImport(db: Database, sha256: string): Promise<number | null> {
  const rs = await db.execute({
    sql: "SELECT id FROM ingest_runs WHERE job = 'import_csv' AND status = 'succeeded' AND json_extract(params, '$.sha256') = ? ORDER BY id DESC LIMIT 1",
    args: [sha256],
  });
  const id = rs.rows[0]?.id;
  return id === undefined || id === null ? null : Number(id);
}

/** Imports the bundled sample unless the same bytes were imported before. Throws when the import fails. */
export async function ensureBundledImport(deps: JobDeps, onProgress?: (p: ImportProgress) => void, path = BUNDLED_SAMPLE): Promise<ImportOutcome> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new Error(`the bundled sample ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is this a complete checkout?`);
  }
  const done = await succeededImport(deps.db, await sha256Hex(bytes));
  if (done !== null) return { status: "already", runId: done };
  const t0 = performance.now();
  const result = await runImportCsv(deps, { bytes, fileName: BUNDLED_SAMPLE_NAME, ...(onProgress ? { onProgress } : {}) });
  if (result.status !== "succeeded") {
    const why = result.error ? `${result.error.class}: ${result.error.message}` : `${result.problems.length} bad rows`;
    throw new Error(`importing the bundled sample failed (${why})`);
  }
  if (result.exportError)
    deps.logger.warn("the bundled sample's rows are stored, but writing its CSV partitions failed", { error: result.exportError.message });
  return { status: "imported", result, ms: performance.now() - t0 };
}

/** The newest hour with an observed temperature for the location (UTC epoch ms), or null. */
export async function newestObservation(db: Database, location: string): Promise<number | null> {
  const t = await newestObservedAt(db, location);
  return t === null ? null : Date.parse(t);
}

/** The pipeline's logical date that trains on every hour up to and including `newest`: the KST day after it. */
export function replayRunDate(newest: number): string {
  return kstDate(new Date(newest + HOUR_MS));
}

export type TrainOutcome =
  | { status: "production"; production: ProductionModel }
  | { status: "already-ran"; run: { id: string; status: string }; production: null }
  | { status: "trained"; run: RunRecord; production: ProductionModel | null; ms: number };

export interface TrainSetup {
  deps: JobDeps;
  loadLightGBM: () => Promise<LightGBM>;
  packageVersion: string;
  executor?: PipelineExecutor;
}

/** Runs the training pipeline for `runDate` unless the location is already served or that date already succeeded. */
export async function ensureTrained(s: TrainSetup, location: string, runDate: string): Promise<TrainOutcome> {
  const { db } = s.deps;
  const production = await getProduction(db, location);
  if (production) return { status: "production", production };
  const rs = await db.execute({
    sql: "SELECT id, status FROM pipeline_runs WHERE pipeline = ? AND location_id = ? AND run_date = ? AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1",
    args: [TRAINING_PIPELINE, location, runDate],
  });
  const prior = rs.rows[0];
  if (prior) return { status: "already-ran", run: { id: String(prior.id), status: String(prior.status) }, production: null };
  const t0 = performance.now();
  const run = await runTraining(
    { ...s.deps, loadLightGBM: s.loadLightGBM, code: { packageVersion: s.packageVersion, gitCommit: null } },
    { location, runDate, trigger: "startup" },
    ...(s.executor ? [s.executor] : []),
  );
  if (run.status !== "succeeded") throw new Error(`the training pipeline for ${location} (${runDate}) failed at ${run.errorStep}: ${run.errorMessage}`);
  return { status: "trained", run, production: await getProduction(db, location), ms: performance.now() - t0 };
}
