// Forecast verification for people: what the production model WOULD HAVE forecast at each past
// issue hour after its training cutoff (a hindcast), next to what was then observed 24 h later and
// the baselines for the same hours (persistence, KMA, climatology), with RMSE over the window and a
// trailing rolling RMSE.
//
// Honesty rules:
//   - only issue hours t >= the model's `trainedBefore` (no observation at or after that instant
//     reached the model, its climatology or its early stopping), so no forecast shown was fitted
//     on the temperature it is scored against;
//   - each row is built by buildForecastDataset from the model's own recipe and climatology, whose
//     features only read data at or before t (the no-leakage tests of src/model/features.ts);
//   - the series is read only before the request's "now" (hour), so nothing later is used.
// Runtime-agnostic; evaluated with the TypeScript predictor (no WebAssembly on the request path).
import { kmaLookup } from "../model/baselines.ts";
import { buildForecastDataset, inverseTarget } from "../model/dataset.ts";
import { HORIZON_HOURS } from "../model/features.ts";
import { verify, type Verification } from "../model/metrics.ts";
import type { Model } from "../model/predictor/index.ts";
import { HOUR_MS, type HourlySeries } from "../model/series.ts";
import type { ServingArtifact } from "../serving/artifact.ts";
import type { LoadedHourlyModel } from "../model/hourly-load.ts";
import { contextFor, forecastRows } from "../model/hourly-model.ts";
import { buildLeadRows } from "../model/multilead-dataset.ts";
import { HourlyGrid } from "../model/series-grid.ts";

/** What a hindcast needs of a loaded production model (src/serving/load-model.ts LoadedModel). */
export interface HindcastModel {
  location: string;
  version: string;
  artifact: Pick<ServingArtifact, "recipe" | "climatology" | "trainedBefore">;
  model: Pick<Model, "predictBatch" | "featureNames">;
}

/** One valid hour: the observation and every forecast for it (issued `lead` hours earlier); null = none. */
export interface VerifiedHour {
  /** Valid hour (UTC epoch ms). */
  validAt: number;
  issuedAt: number;
  observed: number | null;
  model: number | null;
  persistence: number | null;
  kma: number | null;
  climatology: number | null;
  /** The 1..48 h set only: diurnal persistence and the model's 80 % / 95 % interval bounds. */
  diurnal?: number | null;
  p10?: number | null;
  p90?: number | null;
  p025?: number | null;
  p975?: number | null;
}

export interface Hindcast {
  /** Issue hours [from, to) that were considered (UTC epoch ms). */
  from: number;
  to: number;
  /** One entry per valid hour in [from + 24 h, to + 24 h), in time order. */
  hours: VerifiedHour[];
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** First whole hour at or after t. */
export function ceilHour(t: number): number {
  return Math.ceil(t / HOUR_MS) * HOUR_MS;
}

/**
 * The window of issue hours to verify: the last `days` days ending at the hour of `now`
 * (inclusive), but never before the model's training cutoff. Empty (from >= to) when the model
 * was trained on everything before now.
 */
export function hindcastWindow(trainedBefore: number, now: number, days: number): { from: number; to: number } {
  const to = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  const from = Math.max(ceilHour(trainedBefore), to - days * 24 * HOUR_MS);
  return { from: Math.min(from, to), to };
}

/**
 * Hindcasts of the issue hours [from, to) with the model. `series` must hold the observations before
 * `to` (and enough history before `from` for the longest feature); later data is ignored.
 */
export function hindcast(m: HindcastModel, series: HourlySeries, window: { from: number; to: number }): Hindcast {
  const trainedBefore = Date.parse(m.artifact.trainedBefore);
  if (!Number.isFinite(trainedBefore)) throw new Error(`model ${m.version}: trainedBefore ${JSON.stringify(m.artifact.trainedBefore)} is not a time`);
  if (window.from < trainedBefore) {
    throw new RangeError(
      `hindcast from ${new Date(window.from).toISOString()} is before model ${m.version}'s training cutoff ${m.artifact.trainedBefore}: those would not be honest forecasts`,
    );
  }
  const h = HORIZON_HOURS * HOUR_MS;
  const observations = series.observations.filter((o) => o.time < window.to);
  const known: HourlySeries = { locationId: series.locationId, observations, kmaForecasts: (series.kmaForecasts ?? []).filter((f) => f.issuedAt < window.to) };
  const hours: VerifiedHour[] = [];
  for (let t = window.from; t < window.to; t += HOUR_MS) {
    hours.push({ validAt: t + h, issuedAt: t, observed: null, model: null, persistence: null, kma: null, climatology: null });
  }
  if (hours.length === 0 || observations.length === 0) return { from: window.from, to: window.to, hours };
  const { recipe, climatology } = m.artifact;
  const ds = buildForecastDataset(known, {
    features: recipe.features,
    target: recipe.target,
    context: { climatology, kma: kmaLookup(known.kmaForecasts) },
    from: window.from,
    to: window.to,
    requireTarget: false,
  });
  if (ds.featureNames.join(",") !== m.model.featureNames.join(",")) {
    throw new Error(`model ${m.version} reads features ${m.model.featureNames.join(", ")}, its recipe builds ${ds.featureNames.join(", ")}`);
  }
  const forecasts = ds.numRows === 0 ? new Float64Array(0) : inverseTarget(ds, m.model.predictBatch(ds.data.subarray(0, ds.numRows * ds.numCols), ds.numRows));
  for (let r = 0; r < ds.numRows; r++) {
    const hour = hours[Math.round((ds.issueTime[r]! - window.from) / HOUR_MS)];
    if (!hour) continue;
    hour.model = finiteOrNull(forecasts[r]);
    hour.persistence = finiteOrNull(ds.current[r]);
    hour.kma = finiteOrNull(ds.kma[r]);
    hour.climatology = finiteOrNull(ds.climTarget[r]);
  }
  // Observations at the valid hours (also where no forecast could be issued).
  const byTime = new Map<number, number>();
  for (const o of observations) if (typeof o.temperature === "number" && Number.isFinite(o.temperature)) byTime.set(o.time, o.temperature);
  for (const hour of hours) hour.observed = byTime.get(hour.validAt) ?? null;
  return { from: window.from, to: window.to, hours };
}

const nan = (x: number | null): number => (x === null ? Number.NaN : x);

/**
 * Scores over the hours with an observation and a model forecast (the same rows for every
 * forecast, as in training's evaluation): n, RMSE, MAE, bias, skill against persistence.
 */
export function scoreHindcast(hours: readonly VerifiedHour[]): Verification | null {
  const rows = hours.filter((h) => h.observed !== null && h.model !== null);
  if (rows.length === 0) return null;
  return verify({
    issueTime: rows.map((r) => r.issuedAt),
    observed: rows.map((r) => nan(r.observed)),
    model: rows.map((r) => nan(r.model)),
    persistence: rows.map((r) => nan(r.persistence)),
    climatology: rows.map((r) => nan(r.climatology)),
    kma: rows.map((r) => nan(r.kma)),
  });
}

export type Forecaster = "model" | "persistence" | "kma";

/**
 * Trailing RMSE at each valid hour over the previous `windowHours` valid hours (inclusive), for each
 * forecaster, over the hours where it and the observation exist; null while fewer than `minCount`
 * pairs are in the window, and after the last observed hour (the future has no score yet).
 */
export function rollingRmse(hours: readonly VerifiedHour[], windowHours: number, minCount = Math.ceil(windowHours / 2)): Record<Forecaster, (number | null)[]> {
  if (!Number.isInteger(windowHours) || windowHours < 1) throw new RangeError(`windowHours must be a whole number >= 1, got ${windowHours}`);
  const out = { model: [] as (number | null)[], persistence: [] as (number | null)[], kma: [] as (number | null)[] };
  let lastObserved = -1;
  hours.forEach((h, i) => void (h.observed !== null && (lastObserved = i)));
  for (const f of ["model", "persistence", "kma"] as const) {
    let se = 0;
    let n = 0;
    const err = hours.map((h) => (h.observed !== null && h[f] !== null ? h[f]! - h.observed : null));
    for (let i = 0; i < hours.length; i++) {
      const add = err[i];
      if (add !== null && add !== undefined) (se += add * add), n++;
      const drop = i - windowHours >= 0 ? err[i - windowHours] : null;
      if (drop !== null && drop !== undefined) (se -= drop * drop), n--;
      out[f].push(i <= lastObserved && n >= minCount && n > 0 ? Math.sqrt(Math.max(se, 0) / n) : null);
    }
  }
  return out;
}

/**
 * Hindcasts of the issue hours [from, to) at lead `lead` hours by the 1..48 h model set (point,
 * intervals, baselines as hourlyForecast gives them), with the same honesty rules: only issue hours at
 * or after the set's training cutoff, and only data before `to`.
 */
export function hindcastLead(
  m: { version: string } & Pick<LoadedHourlyModel, "artifact" | "predictors">,
  series: HourlySeries,
  window: { from: number; to: number },
  lead: number,
): Hindcast {
  const trainedBefore = Date.parse(m.artifact.trainedBefore);
  if (window.from < trainedBefore) {
    throw new RangeError(
      `hindcast from ${new Date(window.from).toISOString()} is before model ${m.version}'s training cutoff ${m.artifact.trainedBefore}: those would not be honest forecasts`,
    );
  }
  const h = lead * HOUR_MS;
  const observations = series.observations.filter((o) => o.time < window.to);
  const known: HourlySeries = { locationId: series.locationId, observations, kmaForecasts: (series.kmaForecasts ?? []).filter((f) => f.issuedAt < window.to) };
  const hours: VerifiedHour[] = [];
  for (let t = window.from; t < window.to; t += HOUR_MS) {
    hours.push({
      validAt: t + h,
      issuedAt: t,
      observed: null,
      model: null,
      persistence: null,
      kma: null,
      climatology: null,
      diurnal: null,
      p10: null,
      p90: null,
      p025: null,
      p975: null,
    });
  }
  if (hours.length === 0 || observations.length === 0) return { from: window.from, to: window.to, hours };
  const rows = buildLeadRows(new HourlyGrid(known), {
    issueFeatures: m.artifact.recipe.issueFeatures,
    leadFeatures: m.artifact.recipe.leadFeatures,
    context: contextFor(m.artifact, known),
    leads: [lead],
    from: window.from,
    to: window.to,
    requireTarget: false,
  });
  const f = forecastRows(m, rows);
  for (let r = 0; r < rows.numRows; r++) {
    const hour = hours[Math.round((rows.issueTime[r]! - window.from) / HOUR_MS)];
    if (!hour) continue;
    hour.model = finiteOrNull(f.point[r]);
    hour.p10 = finiteOrNull(f.p10[r]);
    hour.p90 = finiteOrNull(f.p90[r]);
    hour.p025 = finiteOrNull(f.p025[r]);
    hour.p975 = finiteOrNull(f.p975[r]);
    hour.persistence = finiteOrNull(rows.current[r]);
    hour.kma = finiteOrNull(rows.kma[r]);
    hour.climatology = finiteOrNull(rows.climatology[r]);
    hour.diurnal = finiteOrNull(rows.diurnal[r]);
  }
  const byTime = new Map<number, number>();
  for (const o of observations) if (typeof o.temperature === "number" && Number.isFinite(o.temperature)) byTime.set(o.time, o.temperature);
  for (const hour of hours) hour.observed = byTime.get(hour.validAt) ?? null;
  return { from: window.from, to: window.to, hours };
}

/** Share of the hours with an observation and an interval whose interval holds the observation. */
export function coverage(hours: readonly VerifiedHour[], lo: "p10" | "p025", hi: "p90" | "p975"): { n: number; coverage: number | null } {
  const rows = hours.filter((h) => h.observed !== null && typeof h[lo] === "number" && typeof h[hi] === "number");
  if (rows.length === 0) return { n: 0, coverage: null };
  return { n: rows.length, coverage: rows.filter((h) => h[lo]! <= h.observed! && h.observed! <= h[hi]!).length / rows.length };
}
