// The daily training pipeline (the seed's Airflow DAG, done honestly):
//   check_data -> build_dataset -> train -> train_hourly -> calibrate_hourly -> evaluate -> register
//   -> promote -> notify_serving
// for one location and a logical date. One registry version holds the whole hourly (1..48 h) model
// set (features.json `hourly`, see hourly-steps.ts) and, for today's 24 h serving path, the legacy
// 24 h model (model.txt + the rest of features.json). The headline holdout scores (and production's
// re-score) are the served 24 h model's; evaluate adds every lead of the hourly set
// (metrics.holdout.leads), and the gate also judges those leads. The cutoff is the start of that date in KST: only hours
// before it are used, so re-running a date trains on the same data. The holdout is the last
// `holdoutDays` of issue hours before the cutoff whose 24 h targets are observed; the model is fitted
// on everything before the holdout and scored on it against persistence, climatology and KMA, and
// the registered model is exactly the one that was scored.
//
// Every step output is small JSON (Workflows persists it); the heavy work (series, LightGBM) is
// redone inside the step that needs it from the database and the object store, so each step can
// run in another isolate or be retried on its own.
import type { FittedModel } from "../../model/forecast-model.ts";
import { exportModel, fitModel, importModel, MODEL_ARTIFACT_FORMAT } from "../../model/forecast-model.ts";
import { kmaLookup } from "../../model/baselines.ts";
import { buildForecastDataset } from "../../model/dataset.ts";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { HORIZON_HOURS } from "../../model/features.ts";
import type { LightGBM } from "../../model/lightgbm-wasm/lightgbm.ts";
import { DAY_MS, HOUR_MS, type HourlySeries, kstToUtc } from "../../model/series.ts";
import type { ModelRecipe } from "../../model/forecast-model.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Logger } from "../../ports/logger.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import type { GatePolicy } from "../../registry/gate.ts";
import type { Registry } from "../../registry/registry.ts";
import { fingerprintDataset } from "../../tracking/dataset-fingerprint.ts";
import type { Tracker } from "../../tracking/tracker.ts";
import { PermanentStepError, type PipelineDef, type RetryPolicy, type StepOutput } from "../pipeline/runner.ts";
import { loadSeries, seriesExtent } from "./load-series.ts";
import { metricsOf, scoreOnWindow, type Window } from "./score.ts";
import { calibrateHourlyModels, leadReports, leadScores, parseHourlyModels, pooledCoverage, scoreHourly, trainHourlyModels } from "./hourly-steps.ts";
import {
  hourlyFromFeaturesJson,
  isArtifactProblem,
  type LeadRecipe,
  parseServingArtifact,
  type ServingArtifact,
  serializeHourlyArtifact,
} from "../../model/artifact.ts";
import { HOURLY_RECIPE } from "../../model/hourly-recipes.ts";
import type { LeadScore } from "../../registry/gate.ts";
import { z } from "zod";

export const TRAINING_PIPELINE = "daily_train";

export interface TrainingDeps {
  db: Database;
  objects: ObjectStore;
  clock: Clock;
  logger: Logger;
  tracker: Tracker;
  registry: Registry;
  /** A LightGBM (WebAssembly) instance for training and re-scoring. */
  loadLightGBM: () => Promise<LightGBM>;
  code: { packageVersion: string; gitCommit?: string | null };
  recipe?: ModelRecipe;
  /** The hourly (1..48 h) model set's recipe (default HOURLY_RECIPE). */
  hourlyRecipe?: LeadRecipe;
  /** Days of issue hours held out for evaluation (default 14). */
  holdoutDays?: number;
  /** Hours of data required before the cutoff (default 90 days' worth). */
  minHours?: number;
  /** The newest observation must be at most this old at the cutoff (default 3 days). */
  maxStalenessHours?: number;
  gatePolicy?: Partial<GatePolicy>;
  /** Tells serving a new version is production (e.g. POST its reload endpoint); edges also poll. */
  notifyServing?: (location: string, version: string) => Promise<Record<string, unknown>>;
}

const DB_RETRY: RetryPolicy = { retries: 3, minTimeoutMs: 500, maxTimeoutMs: 10_000, factor: 2 };
const COMPUTE_RETRY: RetryPolicy = { retries: 1, minTimeoutMs: 1_000, maxTimeoutMs: 5_000, factor: 2 };
const NOTIFY_RETRY: RetryPolicy = { retries: 4, minTimeoutMs: 1_000, maxTimeoutMs: 30_000, factor: 2 };

/** The cutoff of a logical date: 00:00 KST that day (= 15:00 UTC the day before). */
export function cutoffOf(runDate: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(runDate);
  if (!m) throw new PermanentStepError(`run date ${JSON.stringify(runDate)} is not YYYY-MM-DD`);
  return kstToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0);
}

/** The KST date of an instant, YYYY-MM-DD: the logical date of a run started then. */
export { kstDate } from "../../time/kst.ts";

/** Issue hours [from, to) of the holdout: the last `days` whose T(t+24h) is before the cutoff. */
export function holdoutWindow(cutoff: number, days: number): Window {
  const to = cutoff - HORIZON_HOURS * HOUR_MS;
  return { from: to - days * DAY_MS, to };
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

async function seriesFor(d: TrainingDeps, location: string, cutoff: number): Promise<HourlySeries> {
  return loadSeries(d.db, location, { before: new Date(cutoff) });
}

async function readText(objects: ObjectStore, key: string, sha256: string, what: string): Promise<string> {
  const obj = await objects.get(key);
  if (!obj) throw new PermanentStepError(`${what} ${key} is missing from the object store`);
  if (obj.sha256 !== sha256) throw new PermanentStepError(`${what} ${key} has sha256 ${obj.sha256}, recorded ${sha256}`);
  return new TextDecoder().decode(obj.body);
}

/** Loads a model from its two artifacts (LightGBM text + features.json), checking both checksums. */
async function loadArtifactModel(
  d: TrainingDeps,
  lgb: LightGBM,
  a: { modelKey: string; modelSha256: string; specKey: string; specSha256: string },
): Promise<FittedModel> {
  const text = await readText(d.objects, a.modelKey, a.modelSha256, "model");
  const spec = await readForecastArtifact(d.objects, a.specKey, a.specSha256, "feature spec");
  return importModel(lgb, { ...spec, lightgbmModel: text });
}

/** Reads a 24 h features.json and parses it as serving does (model/artifact.ts); a bad one fails the step for good. */
async function readForecastArtifact(objects: ObjectStore, key: string, sha256: string, what: string): Promise<ServingArtifact> {
  const a = parseServingArtifact(await readText(objects, key, sha256, what));
  if (isArtifactProblem(a)) throw new PermanentStepError(`${what} ${key}: ${a.message}`);
  return a;
}

/** Runs a step's work; on failure marks the tracking run failed (keeping the original error). */
async function failRunOnError<T>(d: TrainingDeps, runId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    await d.tracker
      .endRun(runId, { status: "failed", error: e })
      .catch((recordError: unknown) => d.logger.error("could not mark the tracking run failed", { runId, error: (recordError as Error).message }));
    throw e;
  }
}

// Step outputs are stored by the runner and read back on a resumed run: each is parsed, not cast.
const leadScore = z.object({ lead: z.number(), rmse: z.number(), persistenceRmse: z.number(), bestBaselineRmse: z.number() }) satisfies z.ZodType<LeadScore>;
const outputShapes = {
  check_data: z.object({ hours: z.number(), first: z.string(), last: z.string() }),
  build_dataset: z.object({ rows: z.number(), sha256: z.string(), holdoutFrom: z.string(), holdoutTo: z.string() }),
  train: z.object({
    trackingRunId: z.string(),
    iterations: z.number(),
    trainRows: z.number(),
    modelKey: z.string(),
    modelSha256: z.string(),
    specKey: z.string(),
    specSha256: z.string(),
  }),
  train_hourly: z.object({ key: z.string(), sha256: z.string(), groups: z.number(), trainRows: z.number() }),
  calibrate_hourly: z.object({ key: z.string(), sha256: z.string() }),
  evaluate: z.object({
    n: z.number(),
    rmse: z.number(),
    persistenceRmse: z.number(),
    skill: z.number(),
    leads: z.array(leadScore),
    coverage80: z.number(),
    coverage95: z.number(),
  }),
  register: z.object({ version: z.string() }),
};
type Outputs = { [K in keyof typeof outputShapes]: z.infer<(typeof outputShapes)[K]> };
const outputSchemas: { [K in keyof Outputs]: z.ZodType<Outputs[K]> } = outputShapes;

function out<K extends keyof Outputs>(outputs: Readonly<Record<string, StepOutput>>, step: K): Outputs[K] {
  const o = outputs[step];
  if (!o) throw new PermanentStepError(`step ${step} has no output`);
  const parsed = outputSchemas[step].safeParse(o);
  if (!parsed.success)
    throw new PermanentStepError(
      `step ${step}'s stored output is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

/**
 * The training rows as fitModel will see them, and their fingerprint. The climatology-based
 * features' values would differ, so the fingerprint uses the full recipe with no climatology: it
 * identifies the data, not the model. build_dataset records it; train checks the data is the same.
 */
async function trainingDataFingerprint(series: HourlySeries, recipe: ModelRecipe, holdoutFrom: number) {
  const ds = buildForecastDataset(series, {
    features: recipe.features,
    target: recipe.target,
    targetBefore: holdoutFrom,
    context: { climatology: null, kma: kmaLookup(series.kmaForecasts) },
  });
  const fp = await fingerprintDataset({
    data: ds.data.subarray(0, ds.numRows * ds.numCols),
    labels: ds.label.subarray(0, ds.numRows),
    features: ds.featureNames,
    from: ds.numRows ? ds.issueTime[0]! : holdoutFrom,
    to: holdoutFrom,
    featureSpecVersion: ds.spec.version,
  });
  return { rows: ds.numRows, fp };
}

export function trainingPipeline(): PipelineDef<TrainingDeps> {
  return {
    name: TRAINING_PIPELINE,
    steps: [
      {
        name: "check_data",
        retry: DB_RETRY,
        run: async ({ ctx: d, locationId, runDate }) => {
          const cutoff = cutoffOf(runDate);
          const e = await seriesExtent(d.db, locationId, new Date(cutoff));
          const minHours = d.minHours ?? 90 * 24;
          if (e.hours < minHours || !e.first || !e.last) {
            throw new PermanentStepError(
              `${locationId} has ${e.hours} hours with a temperature before ${isoOf(cutoff)}; training needs at least ${minHours} (import or backfill history first)`,
            );
          }
          const staleness = (cutoff - Date.parse(e.last)) / HOUR_MS;
          const maxStale = d.maxStalenessHours ?? 72;
          if (staleness > maxStale) {
            throw new PermanentStepError(
              `the newest observation for ${locationId} is ${e.last}, ${Math.round(staleness)} h before the cutoff ${isoOf(cutoff)} (limit ${maxStale} h): ingest is behind`,
            );
          }
          return { hours: e.hours, first: e.first, last: e.last };
        },
      },
      {
        name: "build_dataset",
        retry: DB_RETRY,
        run: async ({ ctx: d, locationId, runDate }) => {
          const cutoff = cutoffOf(runDate);
          const recipe = d.recipe ?? DEFAULT_RECIPE;
          const w = holdoutWindow(cutoff, d.holdoutDays ?? 14);
          const series = await seriesFor(d, locationId, cutoff);
          const { rows, fp } = await trainingDataFingerprint(series, recipe, w.from);
          if (rows < 100) throw new PermanentStepError(`only ${rows} training rows before the holdout ${isoOf(w.from)}`);
          return { rows, sha256: fp.sha256, holdoutFrom: isoOf(w.from), holdoutTo: isoOf(w.to) };
        },
      },
      {
        name: "train",
        retry: COMPUTE_RETRY,
        run: async ({ ctx: d, locationId, runDate, outputs }) => {
          const cutoff = cutoffOf(runDate);
          const built = out(outputs, "build_dataset");
          const w = { from: Date.parse(built.holdoutFrom), to: Date.parse(built.holdoutTo) };
          const recipe = d.recipe ?? DEFAULT_RECIPE;
          const runId = await d.tracker.startRun({
            location: locationId,
            code: d.code,
            params: {
              recipe: recipe.name,
              target: recipe.target,
              features: [...recipe.features],
              lightgbm: recipe.params,
              holdout_days: d.holdoutDays ?? 14,
              cutoff: isoOf(cutoff),
              run_date: runDate,
            },
          });
          try {
            const series = await d.tracker.timePhase(runId, "load_series", () => seriesFor(d, locationId, cutoff));
            const { fp } = await trainingDataFingerprint(series, recipe, w.from);
            if (fp.sha256 !== built.sha256)
              throw new PermanentStepError(
                `the training data changed between build_dataset (${built.sha256.slice(0, 12)}) and train (${fp.sha256.slice(0, 12)}); re-run the date`,
              );
            await d.tracker.logDataset(runId, fp);
            const lgb = await d.loadLightGBM();
            const model = await d.tracker.timePhase(runId, "fit", () => fitModel(lgb, series, w.from, recipe));
            try {
              const { lightgbmModel, ...spec } = exportModel(model);
              const m = await d.tracker.logArtifact(runId, "model.txt", lightgbmModel);
              // features.json is written by calibrate_hourly (this spec + the hourly set).
              const s = await d.tracker.logJsonArtifact(runId, "features-24h.json", spec);
              return {
                trackingRunId: runId,
                iterations: model.iterations,
                trainRows: model.trainRows,
                modelKey: m.key,
                modelSha256: m.sha256,
                specKey: s.key,
                specSha256: s.sha256,
              };
            } finally {
              model.booster.free();
            }
          } catch (e) {
            await d.tracker.endRun(runId, { status: "failed", error: e });
            throw e;
          }
        },
      },
      {
        name: "train_hourly",
        retry: COMPUTE_RETRY,
        run: async ({ ctx: d, locationId, runDate, outputs }) => {
          const t = out(outputs, "train");
          const built = out(outputs, "build_dataset");
          return failRunOnError(d, t.trackingRunId, async () => {
            const series = await seriesFor(d, locationId, cutoffOf(runDate));
            const lgb = await d.loadLightGBM();
            const models = await d.tracker.timePhase(t.trackingRunId, "fit_hourly", async () =>
              trainHourlyModels(lgb, series, Date.parse(built.holdoutFrom), d.hourlyRecipe ?? HOURLY_RECIPE),
            );
            const a = await d.tracker.logJsonArtifact(t.trackingRunId, "hourly-models.json", models);
            return { key: a.key, sha256: a.sha256, groups: models.groups.length, trainRows: models.groups.reduce((n, g) => n + g.trainRows, 0) };
          });
        },
      },
      {
        name: "calibrate_hourly",
        retry: COMPUTE_RETRY,
        run: async ({ ctx: d, locationId, runDate, outputs }) => {
          const t = out(outputs, "train");
          const h = out(outputs, "train_hourly");
          return failRunOnError(d, t.trackingRunId, async () => {
            const models = parseHourlyModels(await readText(d.objects, h.key, h.sha256, "hourly models"));
            const legacy = await readForecastArtifact(d.objects, t.specKey, t.specSha256, "24 h feature spec");
            const series = await seriesFor(d, locationId, cutoffOf(runDate));
            const lgb = await d.loadLightGBM();
            const hourly = await d.tracker.timePhase(t.trackingRunId, "calibrate_hourly", async () => calibrateHourlyModels(lgb, series, models));
            const a = await d.tracker.logJsonArtifact(t.trackingRunId, "features.json", { ...legacy, hourly: JSON.parse(serializeHourlyArtifact(hourly)) });
            return { key: a.key, sha256: a.sha256 };
          });
        },
      },
      {
        name: "evaluate",
        retry: COMPUTE_RETRY,
        run: async ({ ctx: d, locationId, runDate, outputs }) => {
          const cutoff = cutoffOf(runDate);
          const built = out(outputs, "build_dataset");
          const t = out(outputs, "train");
          const c = out(outputs, "calibrate_hourly");
          const w = { from: Date.parse(built.holdoutFrom), to: Date.parse(built.holdoutTo) };
          return failRunOnError(d, t.trackingRunId, async () => {
            const hourly = hourlyFromFeaturesJson(await readText(d.objects, c.key, c.sha256, "features.json"));
            const series = await seriesFor(d, locationId, cutoff);
            // The headline scores are the served 24 h model's; the hourly set adds every lead.
            const lgb = await d.loadLightGBM();
            const model = await loadArtifactModel(d, lgb, { modelKey: t.modelKey, modelSha256: t.modelSha256, specKey: t.specKey, specSha256: t.specSha256 });
            let table;
            try {
              table = await d.tracker.timePhase(t.trackingRunId, "evaluate", async () => scoreOnWindow(model, series, w));
            } finally {
              model.booster.free();
            }
            if (table.observed.length === 0)
              throw new PermanentStepError(`no holdout hour in ${built.holdoutFrom}..${built.holdoutTo} has an observed T(t) and T(t+24h)`);
            const leadTable = await d.tracker.timePhase(t.trackingRunId, "evaluate_hourly", async () => scoreHourly(hourly, series, w));
            const reports = leadReports(leadTable);
            const pooled = pooledCoverage(leadTable);
            const base = metricsOf(table, w);
            const metrics = { ...base, holdout: { ...base.holdout, leads: reports, pooled } };
            await d.tracker.logMetrics(t.trackingRunId, metrics);
            await d.tracker.logJsonArtifact(t.trackingRunId, "metrics.json", metrics);
            await d.tracker.endRun(t.trackingRunId, { status: "succeeded" });
            const h = metrics.holdout;
            return {
              n: h.n,
              rmse: h.model.rmse,
              persistenceRmse: h.persistence.rmse,
              skill: h.skill,
              leads: leadScores(reports),
              coverage80: pooled.interval80.coverage,
              coverage95: pooled.interval95.coverage,
            };
          });
        },
      },
      {
        name: "register",
        retry: DB_RETRY,
        run: async ({ ctx: d, outputs }) => {
          const t = out(outputs, "train");
          const v = await d.registry.register(t.trackingRunId);
          return { version: v.version };
        },
      },
      {
        name: "promote",
        retry: DB_RETRY,
        run: async ({ ctx: d, locationId, runDate, outputs }) => {
          const { version } = out(outputs, "register");
          const candidate = await d.registry.getVersion(locationId, version);
          const production = await d.registry.getProduction(locationId);
          let productionRescore = null;
          if (production) {
            // The current production model, re-scored on exactly the candidate's holdout rows.
            const lgb = await d.loadLightGBM();
            const prod = await loadArtifactModel(d, lgb, {
              modelKey: production.modelKey,
              modelSha256: production.modelSha256,
              specKey: production.featureSpecKey,
              specSha256: production.featureSpecSha256,
            });
            try {
              const series = await seriesFor(d, locationId, cutoffOf(runDate));
              const w = { from: Date.parse(candidate.holdout.from), to: Date.parse(candidate.holdout.to) };
              const m = metricsOf(scoreOnWindow(prod, series, w), w);
              productionRescore = {
                version: production.version,
                window: { from: candidate.holdout.from, to: candidate.holdout.to, n: m.holdout.n },
                rmse: m.holdout.model.rmse,
              };
            } finally {
              prod.booster.free();
            }
          }
          const ev = out(outputs, "evaluate");
          const outcome = await d.registry.applyGate({
            location: locationId,
            version,
            productionRescore,
            leads: ev.leads,
            ...(d.gatePolicy ? { policy: d.gatePolicy } : {}),
          });
          return {
            version,
            promoted: outcome.decision.promote,
            reason: outcome.decision.reason,
            production: outcome.decision.promote ? version : (production?.version ?? null),
          };
        },
      },
      {
        name: "notify_serving",
        retry: NOTIFY_RETRY,
        run: async ({ ctx: d, locationId, outputs }) => {
          const p = outputs.promote as { promoted: boolean; version: string } | undefined;
          if (!p?.promoted) return { notified: false, reason: "no new production version" };
          if (!d.notifyServing) return { notified: false, reason: "edges pick up the new version by polling the production alias" };
          return { notified: true, ...(await d.notifyServing(locationId, p.version)) };
        },
      },
    ],
  };
}

export { MODEL_ARTIFACT_FORMAT };
