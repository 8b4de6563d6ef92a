// The serving core of the hourly forecast (runtime-free): from the production artifact (its lead-group
// models loaded with the TypeScript predictor) and the observations up to the issue hour t, the
// forecast for every lead 1..48 h: valid time, point, the 80 % (p10..p90) and 95 % (p2.5..p97.5)
// intervals, and the baselines (persistence, diurnal persistence, climatology, KMA where stored).
// Rows are built by buildLeadRows exactly as training built them.
import { contextFor, forecastRows } from "../model/hourly-model.ts";
import type { LoadedHourlyModel } from "../model/hourly-load.ts";
import { MAX_LEAD_HOURS } from "../model/lead-features.ts";
import { buildLeadRows } from "../model/multilead-dataset.ts";
import { HOUR_MS, type HourlySeries, isoHour } from "../model/series.ts";
import { HourlyGrid } from "../model/series-grid.ts";

export interface LeadForecast {
  lead_hours: number;
  /** Valid time t+h, UTC epoch ms. */
  validAt: number;
  temperature: number;
  p10: number;
  p90: number;
  p025: number;
  p975: number;
  persistence: number;
  diurnalPersistence: number | null;
  climatology: number | null;
  kma: number | null;
}

export interface HourlyForecast {
  /** The issue hour t: the latest hour at or before `at` with an observed temperature. */
  issuedAt: number;
  leads: LeadForecast[];
  /** Input features with no value at t (LightGBM's missing value; the model still works). */
  missingFeatures: string[];
}

export class NoIssueHourError extends Error {
  override name = "NoIssueHourError";
}

export { loadHourlyModel, type LoadedHourlyModel } from "../model/hourly-load.ts";

const orNull = (x: number) => (Number.isFinite(x) ? x : null);
const ALL_LEADS = Array.from({ length: MAX_LEAD_HOURS }, (_, k) => k + 1);

/**
 * The forecast issued at the latest observed temperature in `series` at or before `at` (default: the
 * latest). Only observations at or before that hour are read: later ones cannot change it.
 */
export function hourlyForecast(
  m: Pick<LoadedHourlyModel, "artifact" | "predictors">,
  series: HourlySeries,
  opts: { at?: number; leads?: readonly number[]; grid?: HourlyGrid } = {},
): HourlyForecast {
  const obs = series.observations;
  let i = obs.length - 1;
  while (i >= 0 && (typeof obs[i]!.temperature !== "number" || (opts.at !== undefined && obs[i]!.time > opts.at))) i--;
  if (i < 0) throw new NoIssueHourError(`no observed temperature for ${series.locationId}${opts.at !== undefined ? ` at or before ${isoHour(opts.at)}` : ""}`);
  const issuedAt = obs[i]!.time;
  const grid = opts.grid ?? new HourlyGrid(series);
  const { recipe } = m.artifact;
  const rows = buildLeadRows(grid, {
    issueFeatures: recipe.issueFeatures,
    leadFeatures: recipe.leadFeatures,
    context: contextFor(m.artifact, series),
    leads: opts.leads ?? ALL_LEADS,
    from: issuedAt,
    to: issuedAt + HOUR_MS,
    requireTarget: false,
  });
  const f = forecastRows(m, rows);
  const leads: LeadForecast[] = [];
  for (let r = 0; r < rows.numRows; r++) {
    const h = rows.lead[r]!;
    leads.push({
      lead_hours: h,
      validAt: issuedAt + h * HOUR_MS,
      temperature: f.point[r]!,
      p10: f.p10[r]!,
      p90: f.p90[r]!,
      p025: f.p025[r]!,
      p975: f.p975[r]!,
      persistence: rows.current[r]!,
      diurnalPersistence: orNull(rows.diurnal[r]!),
      climatology: orNull(rows.climatology[r]!),
      kma: orNull(rows.kma[r]!),
    });
  }
  const missingFeatures = rows.numRows ? recipe.issueFeatures.filter((_, k) => Number.isNaN(rows.data[k]!)) : [];
  return { issuedAt, leads, missingFeatures };
}
