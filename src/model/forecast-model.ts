// Fitting and applying one forecast model as of a cutoff instant: the climatology and the LightGBM
// booster see only data before the cutoff. Training: the most recent `validationDays` before the
// cutoff are held out for early stopping (with the climatology refitted without them), then, with
// `refit`, the model is retrained on everything before the cutoff for the best number of rounds.
import type { Booster, LightGBM, Params } from "./lightgbm-wasm/index.ts";
import { type Climatology, type ClimatologyRange, fitClimatology, kmaLookup } from "./baselines.ts";
import { buildForecastDataset, DatasetError, type ForecastDataset, inverseTarget } from "./dataset.ts";
import { type FeatureContext, type FeatureSpec, featureSpec, HORIZON_HOURS, type TargetTransformName } from "./features.ts";
import { DAY_MS, HOUR_MS, type HourlySeries, isoHour } from "./series.ts";
import { HourlyGrid } from "./series-grid.ts";

/** A complete modelling choice: features, target transform and training parameters. */
export interface ModelRecipe {
  name: string;
  description: string;
  /** Feature names in column order (see FEATURE_CATALOGUE). */
  features: readonly string[];
  target: TargetTransformName;
  /** LightGBM parameters (num_iterations is the cap when early stopping). */
  params: Params;
  /** Days before the cutoff held out for early stopping; 0 = no early stopping (train num_iterations rounds). */
  validationDays: number;
  earlyStoppingRounds: number;
  /** After early stopping, retrain on all data before the cutoff for the best number of rounds. */
  refit: boolean;
}

export interface FittedModel {
  recipe: ModelRecipe;
  spec: FeatureSpec;
  /** The end of the data it was fitted on (UTC epoch ms): the cutoff for walk-forward fits. */
  cutoff: number;
  climatology: Climatology | null;
  booster: Booster;
  /** Boosting rounds in the final model. */
  iterations: number;
  trainRows: number;
  validRows: number;
  /** RMSE (°C) on the early-stopping validation rows at the best round, or null without early stopping. */
  validRmse: number | null;
}

export class ModelError extends Error {
  override name = "ModelError";
}

/** Rows needed to train at all; fewer is an error, not a silently useless model. */
export const MIN_TRAIN_ROWS = 100;

/** The part of a series known before `cutoff`: observations and KMA forecasts issued before it. */
export function seriesBefore(series: HourlySeries, cutoff: number): HourlySeries {
  return {
    ...series,
    observations: series.observations.filter((o) => o.time < cutoff),
    ...(series.kmaForecasts ? { kmaForecasts: series.kmaForecasts.filter((f) => f.issuedAt < cutoff) } : {}),
  };
}

function context(series: HourlySeries, climatology: Climatology | null): FeatureContext {
  return { climatology, kma: kmaLookup(series.kmaForecasts) };
}

function lgbDataset(lgb: LightGBM, ds: ForecastDataset, params: Params, reference?: ReturnType<LightGBM["createDataset"]>) {
  return lgb.createDataset({
    data: ds.data,
    numRows: ds.numRows,
    numCols: ds.numCols,
    label: ds.label,
    featureNames: ds.featureNames,
    params,
    ...(reference ? { reference } : {}),
  });
}

function trainOn(lgb: LightGBM, train: ForecastDataset, valid: ForecastDataset | null, params: Params, earlyStop: number) {
  const dtrain = lgbDataset(lgb, train, params);
  const dvalid = valid ? lgbDataset(lgb, valid, params, dtrain) : null;
  try {
    const p: Params = dvalid ? { ...params, metric: "rmse", early_stopping_round: earlyStop } : params;
    return lgb.train({ params: p, train: dtrain, ...(dvalid ? { valid: [{ name: "valid", data: dvalid }] } : {}) });
  } finally {
    dvalid?.free();
    dtrain.free();
  }
}

/** What one fit may learn from. */
interface TrainingWindow {
  /** The series the model may see (already cut to what is known). */
  series: HourlySeries;
  /** Issue hours whose rows may be training rows (their T(t+24h) must also be in `series`). */
  rows?: (issueTime: number) => boolean;
  /** Observations the climatology may be fitted on. */
  climatology: ClimatologyRange;
  /** For messages, e.g. "before 2018-09-01T00Z". */
  what: string;
}

/**
 * Fits the recipe on the data before `cutoff` (the series may hold later data: it is cut off here,
 * so nothing at or after the cutoff can reach the model, its climatology or its early stopping).
 */
export function fitModel(lgb: LightGBM, fullSeries: HourlySeries, cutoff: number, recipe: ModelRecipe): FittedModel {
  const series = seriesBefore(fullSeries, cutoff);
  if (series.observations.length === 0) throw new ModelError(`no observations before the cutoff ${isoHour(cutoff)}`);
  return fitWindow(lgb, { series, climatology: { to: cutoff }, what: `before ${isoHour(cutoff)}` }, cutoff, recipe);
}

/**
 * Fits the recipe on a (training-period) series without the issue hours [from, to) of a held-out
 * block: for blocked cross-validation. Rows are purged on both sides so that no training target
 * T(s+24h) falls in the block's target hours and no block target is a training target:
 * training issue hours s satisfy s < from - 24h or s >= to + 24h. The climatology does not see the
 * block's temperatures either (observations in [from, to + 24h) are excluded).
 */
export function fitModelWithHoldout(lgb: LightGBM, series: HourlySeries, holdout: { from: number; to: number }, recipe: ModelRecipe): FittedModel {
  const h = HORIZON_HOURS * HOUR_MS;
  const last = series.observations.at(-1);
  if (!last) throw new ModelError("the series has no observations");
  return fitWindow(
    lgb,
    {
      series,
      rows: (t) => t < holdout.from - h || t >= holdout.to + h,
      climatology: { exclude: { from: holdout.from, to: holdout.to + h } },
      what: `outside ${isoHour(holdout.from)}..${isoHour(holdout.to)}`,
    },
    last.time + HOUR_MS,
    recipe,
  );
}

function fitWindow(lgb: LightGBM, w: TrainingWindow, end: number, recipe: ModelRecipe): FittedModel {
  const { series } = w;
  const obs = series.observations;
  const grid = new HourlyGrid(series);
  const base = { features: recipe.features, target: recipe.target, targetBefore: end, ...(w.rows ? { keep: w.rows } : {}) };
  const spanDays = (end - obs[0]!.time) / DAY_MS;
  // Early stopping holds out the most recent days, at most a fifth of what there is.
  const validDays = recipe.validationDays > 0 ? Math.min(recipe.validationDays, spanDays / 5) : 0;
  const params: Params = { ...recipe.params, verbosity: -1 };

  if (validDays > 0) {
    // The validation rows are the allowed issue hours of the last validDays (their targets included).
    const lastIssue = lastAllowedIssue(grid, base, context(series, null));
    if (lastIssue === undefined) throw new ModelError(`no training rows with an observed T(t) and T(t+${HORIZON_HOURS}h) ${w.what}`);
    const validStart = lastIssue + HOUR_MS - Math.round(validDays * 24) * HOUR_MS;
    const clim1 = fitClimatology(series, { ...w.climatology, to: Math.min(w.climatology.to ?? Infinity, validStart) });
    const ctx1 = context(series, clim1);
    const train = buildForecastDataset(grid, { ...base, context: ctx1, targetBefore: validStart });
    const valid = buildForecastDataset(grid, { ...base, context: ctx1, from: validStart });
    checkRows(train, "training (before the validation days)", w.what);
    if (valid.numRows === 0) throw new ModelError(`no validation rows in the last ${validDays.toFixed(1)} days of the data ${w.what}`);
    const first = trainOn(lgb, train, valid, params, recipe.earlyStoppingRounds);
    const best = first.bestIteration;
    // Every target transform is a shift of T(t+24h), so the label-scale RMSE is the RMSE in °C.
    const validRmse = first.bestScores.find((e) => e.dataset === "valid" && e.metric === "rmse")?.value ?? null;
    if (!recipe.refit) {
      return {
        recipe,
        spec: train.spec,
        cutoff: end,
        climatology: clim1,
        booster: first.booster,
        iterations: best,
        trainRows: train.numRows,
        validRows: valid.numRows,
        validRmse,
      };
    }
    first.booster.free();
    const clim = fitClimatology(series, w.climatology);
    const all = buildForecastDataset(grid, { ...base, context: context(series, clim) });
    const final = trainOn(lgb, all, null, { ...params, num_iterations: best }, 0);
    return {
      recipe,
      spec: all.spec,
      cutoff: end,
      climatology: clim,
      booster: final.booster,
      iterations: final.iterations,
      trainRows: all.numRows,
      validRows: valid.numRows,
      validRmse,
    };
  }

  const clim = fitClimatology(series, w.climatology);
  const all = buildForecastDataset(grid, { ...base, context: context(series, clim) });
  checkRows(all, "training", w.what);
  const result = trainOn(lgb, all, null, params, 0);
  return {
    recipe,
    spec: all.spec,
    cutoff: end,
    climatology: clim,
    booster: result.booster,
    iterations: result.iterations,
    trainRows: all.numRows,
    validRows: 0,
    validRmse: null,
  };
}

function lastAllowedIssue(grid: HourlyGrid, base: Omit<Parameters<typeof buildForecastDataset>[1], "context">, ctx: FeatureContext): number | undefined {
  // Only the row bookkeeping matters here, so build with no features' cost beyond one cheap column.
  const ds = buildForecastDataset(grid, { ...base, features: ["hour_sin"], target: "delta", context: ctx });
  return ds.numRows ? ds.issueTime[ds.numRows - 1] : undefined;
}

function checkRows(ds: ForecastDataset, which: string, what: string) {
  if (ds.numRows < MIN_TRAIN_ROWS) {
    throw new ModelError(`only ${ds.numRows} ${which} rows with an observed T(t) and T(t+${HORIZON_HOURS}h) ${what}; need at least ${MIN_TRAIN_ROWS}`);
  }
}

/** The rows of `series` issued in [from, to), built with the model's own climatology and feature list. */
export function datasetFor(
  model: FittedModel,
  series: HourlySeries,
  range: { from?: number; to?: number; requireTarget?: boolean },
  grid?: HourlyGrid,
): ForecastDataset {
  return buildForecastDataset(grid ?? series, {
    features: model.recipe.features,
    target: model.recipe.target,
    context: { climatology: model.climatology, kma: kmaLookup(series.kmaForecasts) },
    ...range,
  });
}

/** Temperature forecasts for the rows of a dataset built with this model's recipe and climatology. */
export function predictTemperatures(model: FittedModel, ds: ForecastDataset): Float64Array {
  if (ds.spec.version !== model.spec.version || ds.featureNames.join(",") !== model.spec.features.map((f) => f.name).join(",")) {
    throw new DatasetError("the dataset's features are not the model's (different feature list or catalogue version)");
  }
  if (ds.numRows === 0) return new Float64Array(0);
  const raw = model.booster.predict(ds.data, ds.numRows, ds.numCols, { numIteration: model.iterations });
  return inverseTarget(ds, raw);
}

export const MODEL_ARTIFACT_FORMAT = "nalssi-temperature-model-v1";

/** Everything serving needs to rebuild feature rows and predict, as plain JSON. */
export interface ModelArtifact {
  format: typeof MODEL_ARTIFACT_FORMAT;
  spec: FeatureSpec;
  recipe: ModelRecipe;
  climatology: Climatology | null;
  /** End of the training data (the cutoff), ISO UTC. */
  trainedBefore: string;
  iterations: number;
  trainRows: number;
  validRmse: number | null;
  /** LightGBM's model text. */
  lightgbmModel: string;
}

export function exportModel(m: FittedModel): ModelArtifact {
  return {
    format: MODEL_ARTIFACT_FORMAT,
    spec: m.spec,
    recipe: m.recipe,
    climatology: m.climatology,
    trainedBefore: new Date(m.cutoff).toISOString(),
    iterations: m.iterations,
    trainRows: m.trainRows,
    validRmse: m.validRmse,
    lightgbmModel: m.booster.saveModel({ numIteration: m.iterations }),
  };
}

/** Loads an exported model; refuses one whose feature definitions are not this code's. */
export function importModel(lgb: LightGBM, a: ModelArtifact): FittedModel {
  if (a.format !== MODEL_ARTIFACT_FORMAT) throw new ModelError(`model artifact format is ${JSON.stringify(a.format)}, expected ${MODEL_ARTIFACT_FORMAT}`);
  const current = featureSpec(a.recipe.features, a.recipe.target);
  if (JSON.stringify(current) !== JSON.stringify(a.spec)) {
    throw new ModelError(
      `the model was trained with feature set ${a.spec.version} (${a.spec.features.map((f) => f.name).join(", ")}), which this code no longer computes the same way (${current.version}); retrain it`,
    );
  }
  const booster = lgb.loadModel(a.lightgbmModel);
  return {
    recipe: a.recipe,
    spec: a.spec,
    cutoff: Date.parse(a.trainedBefore),
    climatology: a.climatology,
    booster,
    iterations: a.iterations,
    trainRows: a.trainRows,
    validRows: 0,
    validRmse: a.validRmse,
  };
}
