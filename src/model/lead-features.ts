// Features that depend on the lead h as well as the issue hour t: the calendar of the VALID time
// t+h (KST), the climatology and the KMA forecast for t+h, and diurnal persistence. Like the issue
// features of features.ts they only read observations at or before t (diurnal persistence reads
// T(t+h-24*ceil(h/24)), which is at or before t) and KMA forecasts issued at or before t.
import { climatologyAt } from "./baselines.ts";
import type { FeatureContext } from "./features.ts";
import { STATION_FEATURES } from "./pooled-features.ts";
import { HOUR_MS, kstParts } from "./series.ts";
import type { HourlyGrid } from "./series-grid.ts";

export const MAX_LEAD_HOURS = 48;

export type { LeadFeatureDef } from "./lead-feature-def.ts";
import type { LeadFeatureDef } from "./lead-feature-def.ts";

const TWO_PI = 2 * Math.PI;

function hourAngle(time: number): number {
  return (TWO_PI * kstParts(time).hour) / 24;
}

function yearAngle(time: number): number {
  const p = kstParts(time);
  const days = p.year % 4 === 0 && (p.year % 100 !== 0 || p.year % 400 === 0) ? 366 : 365;
  return (TWO_PI * (p.dayOfYear - 1 + p.hour / 24)) / days;
}

/** The grid index of diurnal persistence for lead h: the same clock hour on the most recent day at or before t. */
export function diurnalIndex(i: number, h: number): number {
  return i + h - 24 * Math.ceil(h / 24);
}

/** The latest KMA forecast for t+h issued at or before t, °C, or NaN. */
export function kmaForLead(g: HourlyGrid, i: number, h: number, ctx: FeatureContext): number {
  const t = g.time(i);
  return ctx.kma.latest(t + h * HOUR_MS, t)?.temperature ?? Number.NaN;
}

const clim = (ctx: FeatureContext, time: number) => (ctx.climatology ? climatologyAt(ctx.climatology, time) : Number.NaN);

export const LEAD_FEATURE_CATALOGUE: readonly LeadFeatureDef[] = [
  { name: "lead", description: "lead time h, hours", compute: (_g, _i, h) => h },
  { name: "vhour_sin", description: "sin of the KST hour of day at the valid time t+h", compute: (g, i, h) => Math.sin(hourAngle(g.time(i + h))) },
  { name: "vhour_cos", description: "cos of the KST hour of day at the valid time t+h", compute: (g, i, h) => Math.cos(hourAngle(g.time(i + h))) },
  { name: "vdoy_sin", description: "sin of the KST day of year at t+h", compute: (g, i, h) => Math.sin(yearAngle(g.time(i + h))) },
  { name: "vdoy_cos", description: "cos of the KST day of year at t+h", compute: (g, i, h) => Math.cos(yearAngle(g.time(i + h))) },
  {
    name: "clim_v_rel",
    description: "climatology at t+h minus T(t), °C",
    compute: (g, i, h, ctx) => clim(ctx, g.time(i + h)) - g.value("temperature", i),
  },
  {
    name: "clim_dv",
    description: "climatology at t+h minus climatology at t (the expected change), °C",
    compute: (g, i, h, ctx) => clim(ctx, g.time(i + h)) - clim(ctx, g.time(i)),
  },
  {
    name: "dp_rel",
    description: "diurnal persistence T(t+h-24*ceil(h/24)) minus T(t), °C",
    compute: (g, i, h) => g.value("temperature", diurnalIndex(i, h)) - g.value("temperature", i),
  },
  {
    name: "dp2_rel",
    description: "the day before's temperature at the valid clock hour, T(t+h-24*ceil(h/24)-24), minus T(t), °C",
    compute: (g, i, h) => g.value("temperature", diurnalIndex(i, h) - 24) - g.value("temperature", i),
  },
  {
    name: "dp_anom_v_rel",
    description: "climatology at t+h plus the anomaly of diurnal persistence (T - climatology at t+h-24*ceil(h/24)), minus T(t), °C",
    compute: (g, i, h, ctx) => {
      const d = diurnalIndex(i, h);
      return clim(ctx, g.time(i + h)) + g.value("temperature", d) - clim(ctx, g.time(d)) - g.value("temperature", i);
    },
  },
  {
    name: "ta_mean_d2_rel",
    description: "mean temperature over t-47h..t-24h (the day before the last 24 h) minus T(t), °C",
    compute: (g, i) => g.mean("temperature", i - 24, 24) - g.value("temperature", i),
  },
  {
    name: "ta_mean_d3_rel",
    description: "mean temperature over t-71h..t-48h minus T(t), °C",
    compute: (g, i) => g.mean("temperature", i - 48, 24) - g.value("temperature", i),
  },
  {
    name: "td_v_d1",
    description: "dew point at the valid clock hour on the most recent day at or before t minus the dew point at t, °C",
    compute: (g, i, h) => g.value("dewPoint", diurnalIndex(i, h)) - g.value("dewPoint", i),
  },
  {
    name: "kma_v_rel",
    description: "latest KMA forecast for t+h issued at or before t, minus T(t), °C",
    compute: (g, i, h, ctx) => kmaForLead(g, i, h, ctx) - g.value("temperature", i),
  },
];

// Pooled sets also read the station descriptors (pooled-features.ts).
const BY_NAME = new Map([...LEAD_FEATURE_CATALOGUE, ...STATION_FEATURES].map((f) => [f.name, f]));

export function leadFeatureDefs(names: readonly string[]): LeadFeatureDef[] {
  const unknown = names.filter((n) => !BY_NAME.has(n));
  if (unknown.length) throw new Error(`unknown lead feature${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  return names.map((n) => BY_NAME.get(n)!);
}
