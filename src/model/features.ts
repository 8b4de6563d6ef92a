// The feature catalogue for the 24-hour temperature forecast. Every feature of the row issued at
// hour t is computed from the hourly grid at indices <= t only (lags, trailing windows), from the
// calendar of t / t+24h, from a climatology fitted on training data, or from a KMA forecast issued
// at or before t. Missing inputs give NaN (LightGBM's missing value), never a neighbouring hour.
import type { StationDescriptors } from "./station-descriptors.ts";
import { type Climatology, climatologyAt, type KmaLookup } from "./baselines.ts";
import { HOUR_MS, kstParts } from "./series.ts";
import type { HourlyGrid } from "./series-grid.ts";
import { kstWeekday } from "../time/kst.ts";

export const HORIZON_HOURS = 24;
const HORIZON_MS = HORIZON_HOURS * HOUR_MS;

/** What the features may use besides the series: state fitted on training data only. */
export interface FeatureContext {
  climatology: Climatology | null;
  kma: KmaLookup;
  /** The station's descriptors, for pooled model sets (pooled-features.ts); absent otherwise. */
  station?: StationDescriptors | undefined;
}

export interface FeatureDef {
  name: string;
  group: FeatureGroup;
  description: string;
  /** Value for the row issued at grid index i (hour t). */
  compute(g: HourlyGrid, i: number, ctx: FeatureContext): number;
}

export type FeatureGroup =
  | "temperature"
  | "humidity"
  | "wind"
  | "precipitation"
  | "pressure"
  | "radiation"
  | "sky"
  | "calendar"
  | "climatology"
  | "kma"
  | "seed";

const NaN_ = Number.NaN;
const ta = (g: HourlyGrid, i: number) => g.value("temperature", i);
const diff = (a: number, b: number) => a - b; // NaN propagates
const TWO_PI = 2 * Math.PI;

function taDiff(lag: number): FeatureDef {
  return {
    name: `ta_d${lag}`,
    group: "temperature",
    description: `T(t) - T(t-${lag}h), °C`,
    compute: (g, i) => diff(ta(g, i), ta(g, i - lag)),
  };
}

function taWindow(w: number, stat: "mean" | "min" | "max"): FeatureDef {
  return {
    name: `ta_${stat}${w}_rel`,
    group: "temperature",
    description: `${stat} of T over the ${w} h ending at t, minus T(t), °C`,
    compute: (g, i) => {
      const s = stat === "mean" ? g.mean("temperature", i, w) : g.extreme("temperature", i, w, stat);
      return diff(s, ta(g, i));
    },
  };
}

function sameHourMean(days: number): FeatureDef {
  return {
    name: `ta_hour${days}_rel`,
    group: "temperature",
    description: `mean of T at the same hour on the previous ${days} days, minus T(t), °C`,
    compute: (g, i) => {
      let sum = 0;
      let n = 0;
      for (let k = 1; k <= days; k++) {
        const v = ta(g, i - 24 * k);
        if (!Number.isNaN(v)) {
          sum += v;
          n++;
        }
      }
      return n === 0 || n < 0.7 * days ? NaN_ : sum / n - ta(g, i);
    },
  };
}

/** Today's field value (or trailing-24 h mean) relative to its mean over the past week: a season-free anomaly. */
function weekAnomaly(name: string, group: FeatureGroup, field: "humidity" | "dewPoint" | "windSpeed" | "visibility", daily: boolean, unit: string): FeatureDef {
  return {
    name,
    group,
    description: `${daily ? "24-h mean" : "value at t"} of ${field} minus its 168-h mean, ${unit}`,
    compute: (g, i) => diff(daily ? g.mean(field, i, 24) : g.value(field, i), g.mean(field, i, 168)),
  };
}

/** Solar radiation of the last 24 h as a fraction of the sunniest 24 h (ending at the same hour) of the past 14 days: a cloudiness index. */
const icsrClearness: FeatureDef = {
  name: "icsr_clear24",
  group: "radiation",
  description: "solar radiation over the last 24 h / the largest 24-h total (same end hour) in the last 14 days",
  compute: (g, i) => {
    const today = g.accumulated("solarRadiation", i, 24);
    let max = Number.NaN;
    for (let k = 0; k < 14; k++) {
      const v = g.accumulated("solarRadiation", i - 24 * k, 24);
      if (!Number.isNaN(v) && !(v <= max)) max = v;
    }
    return max > 0 ? today / max : NaN_;
  },
};

const climPrefixCache = new WeakMap<HourlyGrid, WeakMap<Climatology, Float64Array>>();

/** Mean of the climatology over the w hours ending at grid index i (all hours, observed or not). */
function climMean(g: HourlyGrid, clim: Climatology, i: number, w: number): number {
  let byClim = climPrefixCache.get(g);
  if (!byClim) climPrefixCache.set(g, (byClim = new WeakMap()));
  let prefix = byClim.get(clim);
  if (!prefix) {
    prefix = new Float64Array(g.length + 1);
    for (let k = 0; k < g.length; k++) prefix[k + 1] = prefix[k]! + climatologyAt(clim, g.time(k));
    byClim.set(clim, prefix);
  }
  const lo = i - w + 1;
  if (lo < 0 || i >= g.length) return NaN_;
  return (prefix[i + 1]! - prefix[lo]!) / w;
}

/**
 * The anomaly T(t) - clim(t) relative to the mean anomaly of the trailing w hours: like
 * ta_meanW_rel, but with the season's trend over the window removed using the climatology's
 * slope (its level error cancels), so a 30-day anchor does not lag the season.
 */
function anomalyRel(w: number): FeatureDef {
  return {
    name: `ta_anom_rel${w}`,
    group: "climatology",
    description: `(T(t) - clim(t)) minus the mean of T - clim over the ${w} h ending at t, °C`,
    compute: (g, i, ctx) => {
      if (!ctx.climatology) return NaN_;
      const meanT = g.mean("temperature", i, w);
      return ta(g, i) - climatologyAt(ctx.climatology, g.time(i)) - (meanT - climMean(g, ctx.climatology, i, w));
    },
  };
}

function hourAngle(time: number): number {
  return (TWO_PI * kstParts(time).hour) / 24;
}

function yearAngle(time: number): number {
  const p = kstParts(time);
  const daysInYear = p.year % 4 === 0 && (p.year % 100 !== 0 || p.year % 400 === 0) ? 366 : 365;
  return (TWO_PI * (p.dayOfYear - 1 + p.hour / 24)) / daysInYear;
}

function kmaAt(g: HourlyGrid, i: number, ctx: FeatureContext): number {
  const t = g.time(i);
  return ctx.kma.latest(t + HORIZON_MS, t)?.temperature ?? NaN_;
}

/** Every feature the model may use. Recipes pick from this list by name. */
export const FEATURE_CATALOGUE: readonly FeatureDef[] = [
  // ---- temperature: level, tendencies, trailing windows relative to now
  { name: "ta", group: "temperature", description: "T(t), °C", compute: (g, i) => ta(g, i) },
  taDiff(1),
  taDiff(3),
  taDiff(6),
  taDiff(12),
  taDiff(24),
  {
    name: "ta_lag23_rel",
    group: "temperature",
    description: "T(t-23h) - T(t): yesterday's value one hour after the target's hour of day, °C",
    compute: (g, i) => diff(ta(g, i - 23), ta(g, i)),
  },
  taWindow(24, "mean"),
  taWindow(24, "min"),
  taWindow(24, "max"),
  taWindow(72, "mean"),
  taWindow(168, "mean"),
  taWindow(336, "mean"),
  taWindow(720, "mean"),
  sameHourMean(3),
  sameHourMean(7),
  {
    name: "ta_mean24_d24",
    group: "temperature",
    description: "mean T over the 24 h ending at t minus the mean over the 24 h before that, °C",
    compute: (g, i) => diff(g.mean("temperature", i, 24), g.mean("temperature", i - 24, 24)),
  },
  // ---- humidity and dew point
  { name: "hm", group: "humidity", description: "relative humidity at t, %", compute: (g, i) => g.value("humidity", i) },
  {
    name: "hm_d24",
    group: "humidity",
    description: "RH(t) - RH(t-24h), %",
    compute: (g, i) => diff(g.value("humidity", i), g.value("humidity", i - 24)),
  },
  { name: "td", group: "humidity", description: "dew point at t, °C", compute: (g, i) => g.value("dewPoint", i) },
  {
    name: "dpd",
    group: "humidity",
    description: "dew point depression T(t) - Td(t), °C",
    compute: (g, i) => diff(ta(g, i), g.value("dewPoint", i)),
  },
  {
    name: "td_d24",
    group: "humidity",
    description: "Td(t) - Td(t-24h), °C",
    compute: (g, i) => diff(g.value("dewPoint", i), g.value("dewPoint", i - 24)),
  },
  weekAnomaly("hm_rel168", "humidity", "humidity", false, "%"),
  weekAnomaly("hm_mean24_rel168", "humidity", "humidity", true, "%"),
  weekAnomaly("td_rel168", "humidity", "dewPoint", false, "°C"),
  // ---- wind
  { name: "ws", group: "wind", description: "wind speed at t, m/s", compute: (g, i) => g.value("windSpeed", i) },
  {
    name: "ws_mean24",
    group: "wind",
    description: "mean wind speed over the 24 h ending at t, m/s",
    compute: (g, i) => g.mean("windSpeed", i, 24),
  },
  {
    name: "wind_u",
    group: "wind",
    description: "eastward wind component at t (from ws, wd), m/s",
    compute: (g, i) => -g.value("windSpeed", i) * Math.sin((g.value("windDirection", i) * Math.PI) / 180),
  },
  {
    name: "wind_v",
    group: "wind",
    description: "northward wind component at t (from ws, wd), m/s",
    compute: (g, i) => -g.value("windSpeed", i) * Math.cos((g.value("windDirection", i) * Math.PI) / 180),
  },
  weekAnomaly("ws_mean24_rel168", "wind", "windSpeed", true, "m/s"),
  // ---- precipitation
  {
    name: "rn_sum3",
    group: "precipitation",
    description: "precipitation over the 3 h ending at t, mm",
    compute: (g, i) => g.accumulated("precipitation", i, 3, 1),
  },
  {
    name: "rn_sum24",
    group: "precipitation",
    description: "precipitation over the 24 h ending at t, mm",
    compute: (g, i) => g.accumulated("precipitation", i, 24),
  },
  // ---- pressure (NaN when the series has none, e.g. the Seoul bike data)
  { name: "ps", group: "pressure", description: "sea-level pressure at t, hPa", compute: (g, i) => g.value("seaLevelPressure", i) },
  {
    name: "ps_d3",
    group: "pressure",
    description: "sea-level pressure tendency over 3 h, hPa",
    compute: (g, i) => diff(g.value("seaLevelPressure", i), g.value("seaLevelPressure", i - 3)),
  },
  {
    name: "ps_d24",
    group: "pressure",
    description: "sea-level pressure tendency over 24 h, hPa",
    compute: (g, i) => diff(g.value("seaLevelPressure", i), g.value("seaLevelPressure", i - 24)),
  },
  { name: "pa", group: "pressure", description: "station pressure at t, hPa", compute: (g, i) => g.value("pressure", i) },
  {
    name: "pa_d3",
    group: "pressure",
    description: "station pressure tendency over 3 h, hPa",
    compute: (g, i) => diff(g.value("pressure", i), g.value("pressure", i - 3)),
  },
  {
    name: "pa_d24",
    group: "pressure",
    description: "station pressure tendency over 24 h, hPa",
    compute: (g, i) => diff(g.value("pressure", i), g.value("pressure", i - 24)),
  },
  // ---- radiation
  {
    name: "icsr_sum24",
    group: "radiation",
    description: "global solar radiation over the 24 h ending at t, MJ/m²",
    compute: (g, i) => g.accumulated("solarRadiation", i, 24),
  },
  {
    name: "icsr_sum24_d24",
    group: "radiation",
    description: "solar radiation over the last 24 h minus the 24 h before, MJ/m²",
    compute: (g, i) => diff(g.accumulated("solarRadiation", i, 24), g.accumulated("solarRadiation", i - 24, 24)),
  },
  {
    name: "icsr_sum3",
    group: "radiation",
    description: "global solar radiation over the 3 h ending at t, MJ/m²",
    compute: (g, i) => g.accumulated("solarRadiation", i, 3, 1),
  },
  icsrClearness,
  // ---- sky: visibility, cloud, snow
  { name: "vs", group: "sky", description: "visibility at t, 10 m", compute: (g, i) => g.value("visibility", i) },
  weekAnomaly("vs_mean24_rel168", "sky", "visibility", true, "10 m"),
  { name: "dc", group: "sky", description: "total cloud cover at t, tenths", compute: (g, i) => g.value("cloudCover", i) },
  { name: "snow", group: "sky", description: "snow depth at t, cm", compute: (g, i) => g.value("snowDepth", i) },
  // ---- calendar (KST)
  { name: "hour_sin", group: "calendar", description: "sin of the KST hour of day", compute: (g, i) => Math.sin(hourAngle(g.time(i))) },
  { name: "hour_cos", group: "calendar", description: "cos of the KST hour of day", compute: (g, i) => Math.cos(hourAngle(g.time(i))) },
  {
    name: "doy_sin",
    group: "calendar",
    description: "sin of the KST day of year of t+24h",
    compute: (g, i) => Math.sin(yearAngle(g.time(i) + HORIZON_MS)),
  },
  {
    name: "doy_cos",
    group: "calendar",
    description: "cos of the KST day of year of t+24h",
    compute: (g, i) => Math.cos(yearAngle(g.time(i) + HORIZON_MS)),
  },
  // ---- climatology (fitted on training data only; NaN without one)
  {
    name: "clim_t24",
    group: "climatology",
    description: "climatological T at t+24h, °C",
    compute: (g, i, ctx) => (ctx.climatology ? climatologyAt(ctx.climatology, g.time(i) + HORIZON_MS) : NaN_),
  },
  {
    name: "ta_anom",
    group: "climatology",
    description: "T(t) minus the climatology at t, °C",
    compute: (g, i, ctx) => (ctx.climatology ? ta(g, i) - climatologyAt(ctx.climatology, g.time(i)) : NaN_),
  },
  {
    name: "ta_mean24_anom",
    group: "climatology",
    description: "mean T over the 24 h ending at t minus the climatology's mean over the same hours, °C",
    compute: (g, i, ctx) => {
      if (!ctx.climatology) return NaN_;
      let c = 0;
      for (let k = 0; k < 24; k++) c += climatologyAt(ctx.climatology, g.time(i - k));
      return g.mean("temperature", i, 24) - c / 24;
    },
  },
  {
    name: "clim_d24",
    group: "climatology",
    description: "climatology at t+24h minus climatology at t (the seasonal drift), °C",
    compute: (g, i, ctx) => (ctx.climatology ? climatologyAt(ctx.climatology, g.time(i) + HORIZON_MS) - climatologyAt(ctx.climatology, g.time(i)) : NaN_),
  },
  anomalyRel(168),
  anomalyRel(720),
  // ---- KMA forecast (model output statistics) when present
  {
    name: "kma_t24",
    group: "kma",
    description: "latest KMA forecast for t+24h issued at or before t, °C",
    compute: kmaAt,
  },
  {
    name: "kma_t24_rel",
    group: "kma",
    description: "that KMA forecast minus T(t), °C",
    compute: (g, i, ctx) => kmaAt(g, i, ctx) - ta(g, i),
  },
  // ---- the seed project's features (src/preprocess.py of the seed), for the comparison run
  { name: "seed_ta", group: "seed", description: "ta", compute: (g, i) => ta(g, i) },
  { name: "seed_hm", group: "seed", description: "hm", compute: (g, i) => g.value("humidity", i) },
  { name: "seed_hour", group: "seed", description: "KST hour", compute: (g, i) => kstParts(g.time(i)).hour },
  {
    name: "seed_dow",
    group: "seed",
    description: "KST day of week, Monday = 0",
    compute: (g, i) => kstWeekday(g.time(i)),
  },
  { name: "seed_sin_hour", group: "seed", description: "sin KST hour", compute: (g, i) => Math.sin(hourAngle(g.time(i))) },
  { name: "seed_cos_hour", group: "seed", description: "cos KST hour", compute: (g, i) => Math.cos(hourAngle(g.time(i))) },
  ...(["temperature", "humidity"] as const).flatMap((field): FeatureDef[] => {
    const p = field === "temperature" ? "ta" : "hm";
    return [
      { name: `seed_${p}_lag1`, group: "seed", description: `${p}(t-1h)`, compute: (g, i) => g.value(field, i - 1) },
      { name: `seed_${p}_lag24`, group: "seed", description: `${p}(t-24h)`, compute: (g, i) => g.value(field, i - 24) },
      { name: `seed_${p}_roll3`, group: "seed", description: `mean ${p} over 3 h (all present)`, compute: (g, i) => g.mean(field, i, 3, 1) },
      { name: `seed_${p}_roll24`, group: "seed", description: `mean ${p} over 24 h (all present)`, compute: (g, i) => g.mean(field, i, 24, 1) },
    ];
  }),
];

const BY_NAME = new Map(FEATURE_CATALOGUE.map((f) => [f.name, f]));
if (BY_NAME.size !== FEATURE_CATALOGUE.length) throw new Error("duplicate feature names in FEATURE_CATALOGUE");

export class FeatureError extends Error {
  override name = "FeatureError";
}

/** The catalogue entries for the given names, in that order. Throws naming any unknown feature. */
export function featureDefs(names: readonly string[]): FeatureDef[] {
  const unknown = names.filter((n) => !BY_NAME.has(n));
  if (unknown.length) throw new FeatureError(`unknown feature${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  if (new Set(names).size !== names.length) throw new FeatureError("a feature is listed twice");
  return names.map((n) => BY_NAME.get(n)!);
}

/** Names of every catalogue feature in the given groups, in catalogue order. */
export function featuresInGroups(groups: readonly FeatureGroup[]): string[] {
  return FEATURE_CATALOGUE.filter((f) => groups.includes(f.group)).map((f) => f.name);
}

/** The feature vector of the row issued at grid index i. */
export function computeFeatures(g: HourlyGrid, i: number, defs: readonly FeatureDef[], ctx: FeatureContext, out?: Float64Array): Float64Array {
  const row = out ?? new Float64Array(defs.length);
  for (let k = 0; k < defs.length; k++) {
    const v = defs[k]!.compute(g, i, ctx);
    row[k] = Number.isFinite(v) ? v : NaN_;
  }
  return row;
}

/** The feature-set spec serving uses to rebuild rows exactly as training did. */
export interface FeatureSpec {
  /** Bump when any feature's definition changes; a model trained on another version must not be served. */
  version: string;
  horizonHours: number;
  target: TargetTransformName;
  features: { name: string; type: "float"; group: FeatureGroup; description: string }[];
}

export type TargetTransformName = "level" | "delta" | "delta_clim" | "anomaly";

/** Bump whenever a definition in FEATURE_CATALOGUE changes meaning. */
export const FEATURE_CATALOGUE_VERSION = "nalssi-features-v1";

export function featureSpec(names: readonly string[], target: TargetTransformName): FeatureSpec {
  return {
    version: FEATURE_CATALOGUE_VERSION,
    horizonHours: HORIZON_HOURS,
    target,
    features: featureDefs(names).map((f) => ({ name: f.name, type: "float", group: f.group, description: f.description })),
  };
}
