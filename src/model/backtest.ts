// Backtest engine (runtime-agnostic; the caller supplies the LightGBM instance). Walks forward over
// [from, to): at each cutoff (from, from + N days, ...) it fits the recipe on data before the cutoff
// only, then forecasts every issue hour in [cutoff, cutoff + N days) whose T(t+24h) is observed, and
// verifies the model against persistence, the training-data climatology and KMA (when present).
import type { LightGBM } from "./lightgbm-wasm/index.ts";
import { type Climatology, climatologyAt, fitClimatology } from "./baselines.ts";
import { datasetFor, type FittedModel, fitModel, fitModelWithHoldout, type ModelRecipe, predictTemperatures } from "./forecast-model.ts";
import { HORIZON_HOURS } from "./features.ts";
import { type ErrorStats, type ForecastTable, type KmaComparison, skillInterval, verify, verifyByMonth } from "./metrics.ts";
import { HOUR_MS, type HourlySeries, isoHour } from "./series.ts";
import { HourlyGrid } from "./series-grid.ts";

export interface BacktestOptions {
  /** Issue hours [from, to), UTC epoch ms. */
  from: number;
  to: number;
  /** Refit every N days (N >= the span = fit once at `from`). */
  retrainEveryDays: number;
  recipe: ModelRecipe;
  /** Called after each fold (progress reporting). */
  onFold?: (fold: FoldReport) => void;
}

export interface FoldReport {
  /** Start and end of the forecast issue hours of this fit (for walk-forward, the start is the cutoff). */
  cutoff: string;
  test_to: string;
  train_rows: number;
  valid_rows: number;
  iterations: number;
  valid_rmse: number | null;
  test_rows: number;
}

type Scores = Omit<ErrorStats, "n">;

export interface VerificationReport {
  n: number;
  model: Scores;
  persistence: Scores;
  climatology: Scores;
  kma: KmaComparison | null;
  skill: number;
  skill_vs_climatology: number;
}

export interface BacktestReport extends VerificationReport {
  /**
   * walk-forward: fits only on data before each cutoff; blocked-cv: held-out blocks inside a
   * training period; transfer: one fit on another (earlier) series.
   */
  kind: "walk-forward" | "blocked-cv" | "transfer";
  recipe: string;
  target: string;
  features: string[];
  from: string;
  to: string;
  /** null for blocked cross-validation and transfer. */
  retrain_every_days: number | null;
  horizon_hours: number;
  /** Issue hours in [from, to) without a forecast row, by reason. */
  dropped: { no_temperature_at_issue: number; no_observed_target: number };
  /** 95 % interval of the skill (circular block bootstrap, 3-day blocks): is it distinguishable from 0? */
  skill_ci95: [number, number];
  by_month: (VerificationReport & { month: string })[];
  folds: FoldReport[];
}

export interface BacktestResult {
  report: BacktestReport;
  /** Every verified forecast, row by row. */
  table: ForecastTable;
}

export class BacktestError extends Error {
  override name = "BacktestError";
}

function scores(e: ErrorStats): Scores {
  return { rmse: e.rmse, mae: e.mae, bias: e.bias };
}

function toReport(v: ReturnType<typeof verify>): VerificationReport {
  return {
    n: v.n,
    model: scores(v.model),
    persistence: scores(v.persistence),
    climatology: scores(v.climatology),
    kma: v.kma,
    skill: v.skill,
    skill_vs_climatology: v.skill_vs_climatology,
  };
}

type Columns = { [K in keyof ForecastTable]: number[] };

/** Accumulates verified forecasts fold by fold. */
class Collector {
  readonly cols: Columns = { issueTime: [], observed: [], model: [], persistence: [], climatology: [], kma: [] };
  readonly folds: FoldReport[] = [];
  readonly dropped = { no_temperature_at_issue: 0, no_observed_target: 0 };
  readonly grid: HourlyGrid;
  readonly series: HourlySeries;

  constructor(series: HourlySeries) {
    this.series = series;
    this.grid = new HourlyGrid(series);
  }

  /** Forecasts the issue hours [from, to) with a fitted model; the climatology baseline is `baseline`. */
  add(model: FittedModel, from: number, to: number, baseline: Climatology | null, onFold?: (f: FoldReport) => void): void {
    const { grid, cols } = this;
    const ds = datasetFor(model, this.series, { from, to }, grid);
    this.dropped.no_temperature_at_issue += ds.dropped.noRecordOrTemperature;
    this.dropped.no_observed_target += ds.dropped.noTarget;
    // Issue hours outside the series have no record at all: count them too.
    const first = grid.start;
    const end = grid.time(grid.length);
    this.dropped.no_temperature_at_issue += Math.max(0, (Math.min(to, first) - from) / HOUR_MS) + Math.max(0, (to - Math.max(from, end)) / HOUR_MS);
    const predicted = predictTemperatures(model, ds);
    for (let r = 0; r < ds.numRows; r++) {
      const t = ds.issueTime[r]!;
      cols.issueTime.push(t);
      cols.observed.push(ds.target[r]!);
      cols.model.push(predicted[r]!);
      cols.persistence.push(ds.current[r]!);
      cols.climatology.push(baseline ? climatologyAt(baseline, t + HORIZON_HOURS * HOUR_MS) : Number.NaN);
      cols.kma.push(ds.kma[r]!);
    }
    const fold: FoldReport = {
      cutoff: isoHour(from),
      test_to: isoHour(to),
      train_rows: model.trainRows,
      valid_rows: model.validRows,
      iterations: model.iterations,
      valid_rmse: model.validRmse,
      test_rows: ds.numRows,
    };
    this.folds.push(fold);
    onFold?.(fold);
  }

  result(base: Pick<BacktestReport, "kind" | "recipe" | "target" | "features" | "from" | "to" | "retrain_every_days">): BacktestResult {
    const c = this.cols;
    const table: ForecastTable = {
      issueTime: Float64Array.from(c.issueTime),
      observed: Float64Array.from(c.observed),
      model: Float64Array.from(c.model),
      persistence: Float64Array.from(c.persistence),
      climatology: Float64Array.from(c.climatology),
      kma: Float64Array.from(c.kma),
    };
    if (table.observed.length === 0) throw new BacktestError(`no issue hour in ${base.from}..${base.to} has an observed T(t) and T(t+24h)`);
    const report: BacktestReport = {
      ...base,
      horizon_hours: HORIZON_HOURS,
      ...toReport(verify(table)),
      skill_ci95: skillInterval(table),
      dropped: this.dropped,
      by_month: verifyByMonth(table).map((m) => ({ month: m.month, ...toReport(m) })),
      folds: this.folds,
    };
    return { report, table };
  }
}

export function runBacktest(lgb: LightGBM, series: HourlySeries, opts: BacktestOptions): BacktestResult {
  const { from, to, recipe } = opts;
  if (!(to > from)) throw new BacktestError(`backtest range is empty: from ${isoHour(from)} to ${isoHour(to)}`);
  if (!(opts.retrainEveryDays > 0)) throw new BacktestError(`retrainEveryDays must be positive, got ${opts.retrainEveryDays}`);
  if (from % HOUR_MS !== 0 || to % HOUR_MS !== 0) throw new BacktestError("from and to must be whole UTC hours");
  const step = Math.round(opts.retrainEveryDays * 24) * HOUR_MS;
  const out = new Collector(series);
  for (let cutoff = from; cutoff < to; cutoff += step) {
    const model = fitModel(lgb, series, cutoff, recipe);
    try {
      out.add(model, cutoff, Math.min(cutoff + step, to), fitClimatology(series, { to: cutoff }), opts.onFold);
    } finally {
      model.booster.free();
    }
  }
  return out.result({
    kind: "walk-forward",
    recipe: recipe.name,
    target: recipe.target,
    features: [...recipe.features],
    from: isoHour(from),
    to: isoHour(to),
    retrain_every_days: opts.retrainEveryDays,
  });
}

export interface BlockedCvOptions {
  /** Held-out blocks of issue hours [from, to), e.g. the calendar months of the training period. */
  blocks: readonly { from: number; to: number }[];
  recipe: ModelRecipe;
  onFold?: (fold: FoldReport) => void;
}

/**
 * Blocked cross-validation inside a training period (for choosing a recipe, never for the final
 * test): each block is forecast by a model fitted on the rest of the series with a 24 h purge on
 * both sides (see fitModelWithHoldout), and the climatology baseline is fitted without the block.
 * Unlike a walk-forward over the last months, every season of the period gets held out, including
 * the ones in which the temperature falls.
 */
export function runBlockedCv(lgb: LightGBM, series: HourlySeries, opts: BlockedCvOptions): BacktestResult {
  if (opts.blocks.length === 0) throw new BacktestError("blocked cross-validation needs at least one block");
  const out = new Collector(series);
  const h = HORIZON_HOURS * HOUR_MS;
  for (const b of opts.blocks) {
    if (!(b.to > b.from)) throw new BacktestError(`block ${isoHour(b.from)}..${isoHour(b.to)} is empty`);
    const model = fitModelWithHoldout(lgb, series, b, opts.recipe);
    try {
      out.add(model, b.from, b.to, fitClimatology(series, { exclude: { from: b.from, to: b.to + h } }), opts.onFold);
    } finally {
      model.booster.free();
    }
  }
  return out.result({
    kind: "blocked-cv",
    recipe: opts.recipe.name,
    target: opts.recipe.target,
    features: [...opts.recipe.features],
    from: isoHour(Math.min(...opts.blocks.map((b) => b.from))),
    to: isoHour(Math.max(...opts.blocks.map((b) => b.to))),
    retrain_every_days: null,
  });
}

export interface TransferOptions {
  /** Fit on the training series' observations before this instant (default: all of it). */
  trainBefore?: number;
  /** Issue hours [from, to) of the evaluation series to forecast. */
  from: number;
  to: number;
  recipe: ModelRecipe;
}

/**
 * Fits once on one series and forecasts another (e.g. a model trained on 2017-2018 data applied to
 * 2025 observations). The evaluation series must start after the training data ends, so the model
 * cannot have seen any of it; the climatology baseline is the training series' climatology.
 */
export function runTransfer(lgb: LightGBM, train: HourlySeries, test: HourlySeries, opts: TransferOptions): BacktestResult {
  const trainEnd = opts.trainBefore ?? (train.observations.at(-1)?.time ?? 0) + HOUR_MS;
  const testStart = test.observations[0]?.time;
  if (testStart === undefined) throw new BacktestError("the evaluation series has no observations");
  if (opts.from < trainEnd || testStart < trainEnd) {
    throw new BacktestError(
      `the evaluation data (${isoHour(testStart)}, forecasts from ${isoHour(opts.from)}) must start after the training data ends (${isoHour(trainEnd)})`,
    );
  }
  const model = fitModel(lgb, train, trainEnd, opts.recipe);
  const out = new Collector(test);
  try {
    out.add(model, opts.from, opts.to, fitClimatology(train, { to: trainEnd }));
  } finally {
    model.booster.free();
  }
  return out.result({
    kind: "transfer",
    recipe: opts.recipe.name,
    target: opts.recipe.target,
    features: [...opts.recipe.features],
    from: isoHour(opts.from),
    to: isoHour(opts.to),
    retrain_every_days: null,
  });
}
