// Backtest engine (runtime-agnostic; the caller supplies the LightGBM instance). Walks forward over
// [from, to): at each cutoff (from, from + N days, ...) it fits the recipe on data before the cutoff
// only, then forecasts every issue hour in [cutoff, cutoff + N days) whose T(t+24h) is observed, and
// verifies the model against persistence, the training-data climatology and KMA (when present).
import type { LightGBM } from "./lightgbm-wasm/index.ts";
import { climatologyAt, fitClimatology } from "./baselines.ts";
import { datasetFor, fitModel, type ModelRecipe, predictTemperatures } from "./backtest-model.ts";
import { HORIZON_HOURS } from "./features.ts";
import { type ErrorStats, type ForecastTable, type KmaComparison, verify, verifyByMonth } from "./metrics.ts";
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
  recipe: string;
  target: string;
  features: string[];
  from: string;
  to: string;
  retrain_every_days: number;
  horizon_hours: number;
  /** Issue hours in [from, to) without a forecast row, by reason. */
  dropped: { no_temperature_at_issue: number; no_observed_target: number };
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

export function runBacktest(lgb: LightGBM, series: HourlySeries, opts: BacktestOptions): BacktestResult {
  const { from, to, recipe } = opts;
  if (!(to > from)) throw new BacktestError(`backtest range is empty: from ${isoHour(from)} to ${isoHour(to)}`);
  if (!(opts.retrainEveryDays > 0)) throw new BacktestError(`retrainEveryDays must be positive, got ${opts.retrainEveryDays}`);
  if (from % HOUR_MS !== 0 || to % HOUR_MS !== 0) throw new BacktestError("from and to must be whole UTC hours");
  const grid = new HourlyGrid(series);
  const step = Math.round(opts.retrainEveryDays * 24) * HOUR_MS;
  const cols = { issueTime: [] as number[], observed: [] as number[], model: [] as number[], persistence: [] as number[], climatology: [] as number[], kma: [] as number[] };
  const folds: FoldReport[] = [];
  const dropped = { no_temperature_at_issue: 0, no_observed_target: 0 };

  for (let cutoff = from; cutoff < to; cutoff += step) {
    const end = Math.min(cutoff + step, to);
    const model = fitModel(lgb, series, cutoff, recipe);
    try {
      const ds = datasetFor(model, series, { from: cutoff, to: end }, grid);
      dropped.no_temperature_at_issue += ds.dropped.noRecordOrTemperature;
      dropped.no_observed_target += ds.dropped.noTarget;
      // Issue hours beyond the end of the series have no record at all: count them too.
      const lastHour = grid.time(grid.length - 1);
      const beyond = Math.max(0, (Math.min(end, to) - Math.max(cutoff, lastHour + HOUR_MS)) / HOUR_MS);
      dropped.no_temperature_at_issue += beyond;
      const predicted = predictTemperatures(model, ds);
      const baseline = fitClimatology(series, { to: cutoff });
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
        cutoff: isoHour(cutoff),
        test_to: isoHour(end),
        train_rows: model.trainRows,
        valid_rows: model.validRows,
        iterations: model.iterations,
        valid_rmse: model.validRmse,
        test_rows: ds.numRows,
      };
      folds.push(fold);
      opts.onFold?.(fold);
    } finally {
      model.booster.free();
    }
  }

  const table: ForecastTable = {
    issueTime: Float64Array.from(cols.issueTime),
    observed: Float64Array.from(cols.observed),
    model: Float64Array.from(cols.model),
    persistence: Float64Array.from(cols.persistence),
    climatology: Float64Array.from(cols.climatology),
    kma: Float64Array.from(cols.kma),
  };
  if (table.observed.length === 0) throw new BacktestError(`no issue hour in ${isoHour(from)}..${isoHour(to)} has an observed T(t) and T(t+24h)`);
  const report: BacktestReport = {
    recipe: recipe.name,
    target: recipe.target,
    features: [...recipe.features],
    from: isoHour(from),
    to: isoHour(to),
    retrain_every_days: opts.retrainEveryDays,
    horizon_hours: HORIZON_HOURS,
    ...toReport(verify(table)),
    dropped,
    by_month: verifyByMonth(table).map((m) => ({ month: m.month, ...toReport(m) })),
    folds,
  };
  return { report, table };
}
