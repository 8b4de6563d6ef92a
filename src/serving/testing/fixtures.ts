// Test helpers (runtime-agnostic): real model versions as the training job registers them — a
// LightGBM model trained by LightGBM-wasm with forecast-model.ts fitModel, scored on a holdout window
// (src/jobs/train/score.ts), its `model.txt` (LightGBM text) and `features.json` (the exported
// artifact without lightgbmModel) logged through the Tracker and registered through the Registry —
// plus observations written into libSQL the way the ingest writes them.
import { datasetFor, exportModel, fitModel, type FittedModel, type ModelRecipe, predictTemperatures } from "../../model/forecast-model.ts";
import { buildForecastDataset } from "../../model/dataset.ts";
import type { LightGBM } from "../../model/lightgbm-wasm/lightgbm.ts";
import { DAY_MS, HOUR_MS, type HourlySeries } from "../../model/series.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { observationUpsert } from "../../db/observations.ts";
import { forecastUpsert } from "../../db/forecasts.ts";
import { metricsOf, scoreOnWindow } from "../../jobs/train/score.ts";
import { leadReports, pooledCoverage, scoreHourly } from "../../jobs/train/hourly-steps.ts";
import type { LeadRecipe } from "../../model/artifact.ts";
import { serializeHourlyArtifact } from "../../model/artifact.ts";
import { contextFor, fitHourly, type FittedHourly } from "../../model/hourly-model.ts";
import { buildLeadRows } from "../../model/multilead-dataset.ts";
import { HourlyGrid } from "../../model/series-grid.ts";
import { HOURLY_RECIPE } from "../../model/hourly-recipes.ts";
import { Registry } from "../../registry/registry.ts";
import { fingerprintDataset } from "../../tracking/dataset-fingerprint.ts";
import { recordRun } from "../../tracking/testing/seed.ts";
import { Tracker } from "../../tracking/tracker.ts";

export interface TrainedArtifacts {
  modelText: string;
  /** features.json as the training job writes it (ModelArtifact without lightgbmModel). */
  features: Record<string, unknown>;
  metrics: ReturnType<typeof metricsOf>;
  /** The fitted wasm model, for reference predictions; free() it when done. */
  fitted: FittedModel;
  /** The 1..48 h set (wasm boosters) when asked for; free() it when done. */
  hourly?: FittedHourly;
  trainingRows: { data: Float64Array; labels: Float64Array; features: string[]; from: number; to: number; specVersion: string };
}

/** A small 1..48 h recipe for tests: 3 lead groups, 15 rounds. */
export const SMALL_HOURLY_RECIPE: LeadRecipe = {
  ...HOURLY_RECIPE,
  name: "test-hourly",
  groups: [
    [1, 6],
    [7, 24],
    [25, 48],
  ],
  params: { ...HOURLY_RECIPE.params, num_iterations: 15 },
};

/**
 * Fits `recipe` on the series before `cutoff - holdoutDays` and scores it on the holdout days; with
 * `hourly`, also the 1..48 h set on the same data, put under features.json's `hourly` with its
 * per-lead holdout scores in metrics.holdout.leads, as the training pipeline writes them.
 */
export function trainArtifacts(
  lgb: LightGBM,
  series: HourlySeries,
  cutoff: number,
  recipe: ModelRecipe,
  holdoutDays = 7,
  hourly?: LeadRecipe,
): TrainedArtifacts {
  const holdoutFrom = cutoff - holdoutDays * DAY_MS;
  const fitted = fitModel(lgb, series, holdoutFrom, recipe);
  const window = { from: holdoutFrom, to: cutoff - 24 * HOUR_MS };
  const metrics = metricsOf(scoreOnWindow(fitted, series, window), window);
  const { lightgbmModel, ...features } = exportModel(fitted);
  const ds = datasetFor(fitted, series, { to: holdoutFrom });
  let fittedHourly: FittedHourly | undefined;
  let featuresJson = features as unknown as Record<string, unknown>;
  let allMetrics: TrainedArtifacts["metrics"] = metrics;
  if (hourly) {
    fittedHourly = fitHourly(lgb, series, holdoutFrom, hourly);
    const table = scoreHourly(fittedHourly.artifact, series, window);
    featuresJson = { ...featuresJson, hourly: JSON.parse(serializeHourlyArtifact(fittedHourly.artifact)) };
    allMetrics = { ...metrics, holdout: { ...metrics.holdout, leads: leadReports(table), pooled: pooledCoverage(table) } } as TrainedArtifacts["metrics"];
  }
  return {
    modelText: lightgbmModel,
    features: featuresJson,
    metrics: allMetrics,
    fitted,
    ...(fittedHourly ? { hourly: fittedHourly } : {}),
    trainingRows: {
      data: ds.data,
      labels: ds.label,
      features: ds.featureNames,
      from: ds.issueTime[0] ?? holdoutFrom,
      to: holdoutFrom,
      specVersion: ds.spec.version,
    },
  };
}

export interface RegisterOverrides {
  /** Replace model.txt / features.json bytes (to register a broken version on purpose). */
  modelText?: string;
  featuresText?: string;
  /** Register with the object store, so that the registry writes the compiled model beside model.txt (src/registry/compiled.ts). */
  compile?: boolean;
}

/** Logs a succeeded training run with the artifacts and registers it; returns the version. */
export async function registerTrained(
  deps: { db: Database; objects: ObjectStore; clock: Clock },
  location: string,
  a: TrainedArtifacts,
  o: RegisterOverrides = {},
): Promise<string> {
  const tracker = new Tracker(deps);
  const { runId } = await recordRun(
    tracker,
    { location, code: { packageVersion: "0.1.0" }, params: { recipe: String(a.features.recipe && (a.features.recipe as { name: string }).name) } },
    async (run) => {
      const t = a.trainingRows;
      await run.logDataset(
        await fingerprintDataset({ data: t.data, labels: t.labels, features: t.features, from: t.from, to: t.to, featureSpecVersion: t.specVersion }),
      );
      await run.logMetrics(a.metrics);
      await run.logArtifact("model.txt", o.modelText ?? a.modelText);
      if (o.featuresText !== undefined) await run.logArtifact("features.json", o.featuresText);
      else await run.logJsonArtifact("features.json", a.features);
      if (a.hourly) await run.logJsonArtifact("metrics.json", a.metrics);
    },
  );
  const v = await new Registry({ db: deps.db, clock: deps.clock, ...(o.compile ? { objects: deps.objects } : {}) }).register(runId);
  return v.version;
}

/** Writes the observations of [from, to) as ASOS rows (and the KMA forecasts issued then, if any). */
export async function storeObservations(db: Database, series: HourlySeries, location: string, from: number, to: number, now: Date): Promise<number> {
  const stmts = [];
  for (const o of series.observations) {
    if (o.time < from || o.time >= to) continue;
    const v = (x: number | null | undefined) => (typeof x === "number" ? x : null);
    stmts.push(
      observationUpsert(
        {
          locationId: location,
          observedAt: new Date(o.time),
          source: "asos",
          values: {
            temperature_c: v(o.temperature),
            humidity_pct: v(o.humidity),
            wind_speed_ms: v(o.windSpeed),
            wind_dir_deg: v(o.windDirection),
            precipitation_mm: v(o.precipitation),
            dew_point_c: v(o.dewPoint),
            solar_radiation_mj_m2: v(o.solarRadiation),
            visibility_m: typeof o.visibility === "number" ? o.visibility * 10 : null,
            snow_depth_cm: v(o.snowDepth),
          },
        },
        now,
      ).insert,
    );
  }
  for (const f of series.kmaForecasts ?? []) {
    if (f.issuedAt < from || f.issuedAt >= to) continue;
    stmts.push(
      forecastUpsert(
        {
          locationId: location,
          product: "vilage_fcst",
          issuedAt: new Date(f.issuedAt),
          validAt: new Date(f.validAt),
          category: "TMP",
          value: f.temperature,
          valueText: String(f.temperature),
        },
        now,
      ).insert,
    );
  }
  for (let i = 0; i < stmts.length; i += 500) await db.batch(stmts.slice(i, i + 500), "write");
  return stmts.length;
}

/** The wasm model's forecast for the row issued at `issuedAt` (the reference the TS path must equal). */
export function referenceForecast(a: TrainedArtifacts, series: HourlySeries, issuedAt: number): { temperature: number; raw: number[] } {
  const ds = datasetFor(a.fitted, series, { from: issuedAt, to: issuedAt + HOUR_MS, requireTarget: false });
  const t = predictTemperatures(a.fitted, ds);
  return { temperature: t[0]!, raw: Array.from(ds.data) };
}

/** The feature rows (as name -> value objects) of the issue hours in [from, to), and the wasm model's raw outputs for them. */
export function referenceRows(
  a: TrainedArtifacts,
  series: HourlySeries,
  from: number,
  to: number,
): { rows: Record<string, number | null>[]; raw: Float64Array } {
  const f = a.fitted;
  const ds = buildForecastDataset(series, {
    features: f.recipe.features,
    target: f.recipe.target,
    context: { climatology: f.climatology, kma: { size: 0, latest: () => undefined } },
    from,
    to,
    requireTarget: false,
  });
  const rows = [];
  for (let r = 0; r < ds.numRows; r++) {
    const row: Record<string, number | null> = {};
    ds.featureNames.forEach((n, k) => {
      const x = ds.data[r * ds.numCols + k]!;
      row[n] = Number.isNaN(x) ? null : x;
    });
    rows.push(row);
  }
  const raw = f.booster.predict(ds.data, ds.numRows, ds.numCols, { numIteration: f.iterations });
  return { rows, raw };
}

/** Feature rows of lead `h` for the issue hours in [from, to) (name -> value, without `lead`) and the wasm boosters' outputs for them. */
export function referenceLeadRows(
  a: TrainedArtifacts,
  series: HourlySeries,
  h: number,
  from: number,
  to: number,
): { rows: Record<string, number | null>[]; raw: Float64Array } {
  const hourly = a.hourly;
  if (!hourly) throw new Error("these artifacts have no 1..48 h set: train them with `hourly`");
  const art = hourly.artifact;
  const rows = buildLeadRows(new HourlyGrid(series), {
    issueFeatures: art.recipe.issueFeatures,
    leadFeatures: art.recipe.leadFeatures,
    context: contextFor(art, series),
    leads: [h],
    from,
    to,
    requireTarget: false,
  });
  const out = [];
  for (let r = 0; r < rows.numRows; r++) {
    const row: Record<string, number | null> = {};
    art.featureNames.forEach((n, k) => {
      const x = rows.data[r * rows.numCols + k]!;
      if (n !== "lead") row[n] = Number.isNaN(x) ? null : x;
    });
    out.push(row);
  }
  const g = art.groups.findIndex((x) => x.leads[0] <= h && h <= x.leads[1]);
  return { rows: out, raw: hourly.predictors[g]!(rows.data, rows.numRows, rows.numCols) };
}
