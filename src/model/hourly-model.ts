// Fitting the hourly (1..48 h) model set as of a cutoff: a climatology and one LightGBM model per
// lead group, all from data before the cutoff, plus interval calibration by blocked cross-fitting:
// the issue hours before the cutoff are split into folds by KST month (month index mod K); each
// fold is forecast by group models fitted on the other folds (rows whose 48 h window touches the
// fold are purged), and the out-of-fold residuals give per-lead quantiles (conformal order
// statistics) that are added to the point forecast. The quantiles are monotone in p, so the
// intervals never cross.
import type { Booster, LightGBM, Params } from "./lightgbm-wasm/index.ts";
import { type Climatology, fitClimatology, kmaLookup } from "./baselines.ts";
import { HOURLY_ARTIFACT_FORMAT, type HourlyArtifact, type HourlyModels, type LeadCalibration, type LeadRecipe } from "./artifact.ts";
import { FEATURE_CATALOGUE_VERSION, type FeatureContext } from "./features.ts";
import { MAX_LEAD_HOURS } from "./lead-features.ts";
import { buildLeadRows, type LeadGroup, type LeadRows, sampledLeads } from "./multilead-dataset.ts";
import { HOUR_MS, type HourlySeries, isoHour, kstParts } from "./series.ts";
import { HourlyGrid } from "./series-grid.ts";
import { seriesBefore } from "./forecast-model.ts";

export class HourlyModelError extends Error {
  override name = "HourlyModelError";
}

export const MIN_GROUP_TRAIN_ROWS = 100;
/** Out-of-fold forecasts per issue hour and group for the calibration (a third of the cost of all 48; >= 1/3 of the issue hours per lead). */
export const CALIBRATION_LEADS_PER_ISSUE = 4;

export function leadsOf(g: LeadGroup): number[] {
  return Array.from({ length: g[1] - g[0] + 1 }, (_, k) => g[0] + k);
}

export function featureNamesOf(recipe: LeadRecipe): string[] {
  return [...recipe.issueFeatures, ...recipe.leadFeatures];
}

/** Something that turns feature rows into model outputs: a wasm Booster or the TS predictor. */
export type RowPredictor = (data: Float64Array, numRows: number, numCols: number) => Float64Array;

export interface FittedHourly {
  artifact: HourlyArtifact;
  /** One predictor per artifact group, same order. */
  predictors: RowPredictor[];
  /** Frees wasm memory (no-op for TS predictors). */
  free(): void;
}

export function trainBooster(lgb: LightGBM, rows: LeadRows, params: Params, featureNames: string[]): Booster {
  const ds = lgb.createDataset({ data: rows.data, numRows: rows.numRows, numCols: rows.numCols, label: rows.label, featureNames, params });
  try {
    return lgb.train({ params, train: ds }).booster;
  } finally {
    ds.free();
  }
}

export function boosterPredictor(b: Booster): RowPredictor {
  return (data, n, k) => (n === 0 ? new Float64Array(0) : Float64Array.from(b.predict(data, n, k)));
}

/** KST month index mod K: the calibration fold of an issue hour. */
export function calibrationFold(time: number, folds: number): number {
  const p = kstParts(time);
  return (p.year * 12 + p.month - 1) % folds;
}

/**
 * Conformal residual quantiles: lower p from the floor((n+1)p)-th, upper from the ceil((n+1)p)-th
 * order statistic, each multiplied by `scale` (> 0, so the order of the quantiles is kept).
 */
export function residualQuantiles(residuals: number[], lead: number, scale = 1): LeadCalibration {
  const e = residuals.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const n = e.length;
  if (n === 0) return { lead, n: 0, q025: 0, q10: 0, q90: 0, q975: 0 };
  if (!(scale > 0)) throw new HourlyModelError(`calibration scale must be positive, got ${scale}`);
  const lo = (p: number) => scale * e[Math.min(n - 1, Math.max(0, Math.floor((n + 1) * p) - 1))]!;
  const hi = (p: number) => scale * e[Math.min(n - 1, Math.max(0, Math.ceil((n + 1) * p) - 1))]!;
  return { lead, n, q025: lo(0.025), q10: lo(0.1), q90: hi(0.9), q975: hi(0.975) };
}

interface FitInput {
  lgb: LightGBM;
  grid: HourlyGrid;
  ctx: FeatureContext;
  recipe: LeadRecipe;
  cutoff: number;
  params: Params;
}

function groupRows(x: FitInput, group: LeadGroup, keep?: (t: number) => boolean): LeadRows {
  return buildLeadRows(x.grid, {
    issueFeatures: x.recipe.issueFeatures,
    leadFeatures: x.recipe.leadFeatures,
    context: x.ctx,
    leads: leadsOf(group),
    targetBefore: x.cutoff,
    keepLead: sampledLeads(group, x.recipe.leadsPerIssue),
    ...(keep ? { keep } : {}),
  });
}

function calibrate(x: FitInput): LeadCalibration[] {
  const K = x.recipe.calibrationFolds;
  const residuals: number[][] = Array.from({ length: MAX_LEAD_HOURS + 1 }, () => []);
  const names = featureNamesOf(x.recipe);
  const span = MAX_LEAD_HOURS * HOUR_MS;
  for (let k = 0; k < K; k++) {
    const trainKeep = (t: number) => calibrationFold(t, K) !== k && calibrationFold(t + span, K) !== k;
    for (const group of x.recipe.groups) {
      const train = groupRows(x, group, trainKeep);
      if (train.numRows < MIN_GROUP_TRAIN_ROWS) continue;
      const test = buildLeadRows(x.grid, {
        issueFeatures: x.recipe.issueFeatures,
        leadFeatures: x.recipe.leadFeatures,
        context: x.ctx,
        leads: leadsOf(group),
        targetBefore: x.cutoff,
        keep: (t) => calibrationFold(t, K) === k,
        keepLead: sampledLeads(group, CALIBRATION_LEADS_PER_ISSUE),
      });
      if (test.numRows === 0) continue;
      const b = trainBooster(x.lgb, train, x.params, names);
      try {
        const out = boosterPredictor(b)(test.data, test.numRows, test.numCols);
        for (let r = 0; r < test.numRows; r++) residuals[test.lead[r]!]!.push(test.label[r]! - out[r]!);
      } finally {
        b.free();
      }
    }
  }
  return residuals.slice(1).map((e, k) => residualQuantiles(e, k + 1, x.recipe.calibrationScale ?? 1));
}

/** What every fitting stage needs: the grid and context of the data before the cutoff. */
export interface FitSetup {
  grid: HourlyGrid;
  ctx: FeatureContext;
  climatology: Climatology | null;
  recipe: LeadRecipe;
  cutoff: number;
}

/** The series cut at `cutoff` (later data cannot reach any fitting stage), its grid, climatology and KMA lookup. */
export function prepareFit(fullSeries: HourlySeries, cutoff: number, recipe: LeadRecipe): FitSetup {
  const series = seriesBefore(fullSeries, cutoff);
  if (series.observations.length === 0) throw new HourlyModelError(`no observations before the cutoff ${isoHour(cutoff)}`);
  const climatology = fitClimatology(series, { to: cutoff });
  return { grid: new HourlyGrid(series), ctx: { climatology, kma: kmaLookup(series.kmaForecasts) }, climatology, recipe, cutoff };
}

function input(lgb: LightGBM, s: FitSetup): FitInput {
  return { lgb, grid: s.grid, ctx: s.ctx, recipe: s.recipe, cutoff: s.cutoff, params: { ...s.recipe.params, verbosity: -1 } };
}

/** What one set of lead-group models is fitted from: the rows of a group, and what the artifact records. */
export interface GroupFit {
  recipe: LeadRecipe;
  params: Params;
  cutoff: number;
  climatology: HourlyModels["climatology"];
  /** The training rows of one lead group. */
  rowsFor(group: LeadGroup): LeadRows;
  /** What the rows are, for the "too few rows" error ("training rows", "pooled training rows"). */
  rowsLabel: string;
}

/** One LightGBM model per lead group (the artifact without `calibration`, and the Boosters); local and pooled sets alike. */
export function fitGroupModels(lgb: LightGBM, f: GroupFit): { models: HourlyModels; boosters: Booster[] } {
  const names = featureNamesOf(f.recipe);
  const boosters: Booster[] = [];
  const groups: HourlyModels["groups"] = [];
  try {
    for (const group of f.recipe.groups) {
      const rows = f.rowsFor(group);
      if (rows.numRows < MIN_GROUP_TRAIN_ROWS) {
        throw new HourlyModelError(
          `only ${rows.numRows} ${f.rowsLabel} for leads ${group[0]}..${group[1]} h before ${isoHour(f.cutoff)}; need at least ${MIN_GROUP_TRAIN_ROWS}`,
        );
      }
      const b = trainBooster(lgb, rows, f.params, names);
      boosters.push(b);
      const iterations = b.currentIteration();
      groups.push({ leads: [group[0], group[1]], iterations, trainRows: rows.numRows, lightgbmModel: b.saveModel({ numIteration: iterations }) });
    }
  } catch (e) {
    boosters.forEach((b) => b.free());
    throw e;
  }
  const models: HourlyModels = {
    format: HOURLY_ARTIFACT_FORMAT,
    featureCatalogueVersion: FEATURE_CATALOGUE_VERSION,
    recipe: f.recipe,
    featureNames: names,
    target: "delta",
    climatology: f.climatology,
    trainedBefore: new Date(f.cutoff).toISOString(),
    groups,
  };
  return { models, boosters };
}

/** The group models of the set (no calibration yet): the artifact without `calibration`, and the Boosters. */
export function fitGroups(lgb: LightGBM, s: FitSetup): { models: HourlyModels; boosters: Booster[] } {
  const x = input(lgb, s);
  return fitGroupModels(lgb, {
    recipe: s.recipe,
    params: x.params,
    cutoff: s.cutoff,
    climatology: s.climatology,
    rowsFor: (group) => groupRows(x, group),
    rowsLabel: "training rows",
  });
}

/** The interval calibration of the set, by month-blocked cross-fitting on the data before the cutoff. */
export function calibrateHourly(lgb: LightGBM, s: FitSetup): HourlyArtifact["calibration"] {
  return { method: "cross-fit-residual-quantiles", folds: s.recipe.calibrationFolds, leads: calibrate(input(lgb, s)) };
}

/**
 * Fits the model set on the data before `cutoff` (later data in `fullSeries` is cut off here, so
 * nothing at or after the cutoff can reach the models, the climatology or the calibration).
 */
export function fitHourly(lgb: LightGBM, fullSeries: HourlySeries, cutoff: number, recipe: LeadRecipe): FittedHourly {
  const s = prepareFit(fullSeries, cutoff, recipe);
  const { models, boosters } = fitGroups(lgb, s);
  try {
    const artifact: HourlyArtifact = { ...models, calibration: calibrateHourly(lgb, s) };
    return { artifact, predictors: boosters.map(boosterPredictor), free: () => boosters.forEach((b) => b.free()) };
  } catch (e) {
    boosters.forEach((b) => b.free());
    throw e;
  }
}

/** Per-row forecasts for rows built with the artifact's recipe and climatology: point and interval bounds, °C. */
export interface RowForecasts {
  point: Float64Array;
  p025: Float64Array;
  p10: Float64Array;
  p90: Float64Array;
  p975: Float64Array;
}

/** Applies the model set to lead rows (any mix of leads). */
export function forecastRows(m: Pick<FittedHourly, "artifact" | "predictors">, rows: LeadRows): RowForecasts {
  const n = rows.numRows;
  const out: RowForecasts = {
    point: new Float64Array(n),
    p025: new Float64Array(n),
    p10: new Float64Array(n),
    p90: new Float64Array(n),
    p975: new Float64Array(n),
  };
  const groupOf = new Int32Array(MAX_LEAD_HOURS + 1).fill(-1);
  m.artifact.groups.forEach((g, gi) => {
    for (let h = g.leads[0]; h <= g.leads[1]; h++) groupOf[h] = gi;
  });
  const byGroup: number[][] = m.artifact.groups.map(() => []);
  for (let r = 0; r < n; r++) byGroup[groupOf[rows.lead[r]!]!]!.push(r);
  const k = rows.numCols;
  byGroup.forEach((idx, gi) => {
    if (!idx.length) return;
    const data = new Float64Array(idx.length * k);
    idx.forEach((r, j) => data.set(rows.data.subarray(r * k, (r + 1) * k), j * k));
    const raw = m.predictors[gi]!(data, idx.length, k);
    idx.forEach((r, j) => {
      const c = m.artifact.calibration.leads[rows.lead[r]! - 1]!;
      const p = rows.current[r]! + raw[j]!;
      out.point[r] = p;
      out.p025[r] = p + c.q025;
      out.p10[r] = p + c.q10;
      out.p90[r] = p + c.q90;
      out.p975[r] = p + c.q975;
    });
  });
  return out;
}

/** The context rows for this artifact need: its climatology and the series' KMA forecasts. */
export function contextFor(a: HourlyArtifact, series: HourlySeries): FeatureContext {
  return { climatology: a.climatology, kma: kmaLookup(series.kmaForecasts), ...(a.station ? { station: a.station } : {}) };
}
