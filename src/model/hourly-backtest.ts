// Walk-forward backtest of the hourly model set: at each cutoff (from, from + N days, ...) the
// models, climatology and interval calibration are fitted on data before the cutoff only; every issue
// hour up to the next cutoff is then forecast for each requested lead whose T(t+h) is observed, into
// a lead table (lead-scores.ts) verified per lead against persistence, diurnal persistence,
// climatology and KMA (where stored), with the coverage and mean width of the 80 % and 95 % intervals.
// Used by `nalssi backtest` and research; training does not run it.
import type { LightGBM } from "./lightgbm-wasm/index.ts";
import type { LeadRecipe } from "./artifact.ts";
import { contextFor, fitHourly, forecastRows } from "./hourly-model.ts";
import { appendForecasts, emptyLeadTable, type LeadTable } from "./lead-scores.ts";
import { buildLeadRows } from "./multilead-dataset.ts";
import { HOUR_MS, type HourlySeries, isoHour } from "./series.ts";
import { HourlyGrid } from "./series-grid.ts";

export interface HourlyBacktestOptions {
  from: number;
  to: number;
  retrainEveryDays: number;
  leads: readonly number[];
  recipe: LeadRecipe;
  onFold?: (f: { cutoff: string; test_to: string; test_rows: number }) => void;
}

export function runHourlyBacktest(
  lgb: LightGBM,
  series: HourlySeries,
  opts: HourlyBacktestOptions,
): { table: LeadTable; folds: { cutoff: string; test_to: string; test_rows: number }[] } {
  const { from, to } = opts;
  if (!(to > from)) throw new Error(`backtest range is empty: from ${isoHour(from)} to ${isoHour(to)}`);
  if (!(opts.retrainEveryDays > 0)) throw new Error(`retrainEveryDays must be positive, got ${opts.retrainEveryDays}`);
  const step = Math.round(opts.retrainEveryDays * 24) * HOUR_MS;
  const grid = new HourlyGrid(series);
  const table = emptyLeadTable();
  const folds = [];
  for (let cutoff = from; cutoff < to; cutoff += step) {
    const end = Math.min(cutoff + step, to);
    const m = fitHourly(lgb, series, cutoff, opts.recipe);
    try {
      const rows = buildLeadRows(grid, {
        issueFeatures: opts.recipe.issueFeatures,
        leadFeatures: opts.recipe.leadFeatures,
        context: contextFor(m.artifact, series),
        leads: opts.leads,
        from: cutoff,
        to: end,
      });
      appendForecasts(table, rows, forecastRows(m, rows));
      const fold = { cutoff: isoHour(cutoff), test_to: isoHour(end), test_rows: rows.numRows };
      folds.push(fold);
      opts.onFold?.(fold);
    } finally {
      m.free();
    }
  }
  return { table, folds };
}
