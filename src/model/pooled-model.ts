// A pooled hourly (1..48 h) model set: ONE set of lead-group LightGBM models fitted on the rows of
// several stations at once, with station descriptors (pooled-features.ts) as features, so that a
// station with little history of its own borrows what the others learnt. Everything is fitted on
// data before the cutoff only, as in hourly-model.ts.
//
// Climatology. The lead features compare T(t) with the station's climatology. A station with under
// MIN_DAYS_FOR_ANNUAL_CYCLE of history has no annual cycle of its own (baselines.ts), so it gets
// the pool's: the mean of the coefficients of the members whose own climatology has the annual
// cycle, shifted by the station's mean departure from it over its own hours ("pool-shifted").
//
// Size. Rows of every member for every group would not fit a Workflows step (30 s CPU, 128 MB), so
// each group samples issue hours (a hashed stride per member) to at most `maxRowsPerGroup` rows.
//
// Intervals. One cross-fitted residual calibration for the pool (month-blocked folds, as in
// hourly-model.ts), from the out-of-fold forecasts of every member: the per-location artifacts
// share it.
//
// The set is served per location: pooledArtifactFor() gives a normal HourlyArtifact (the shared
// group models, the location's climatology and descriptors), which serving, evaluation and the gate
// read like a local one.
import type { Booster, LightGBM } from "./lightgbm-wasm/index.ts";
import { type Climatology, climatologyAt, fitClimatology, kmaLookup } from "./baselines.ts";
import type { HourlyArtifact, HourlyModels, LeadRecipe } from "./artifact.ts";
import type { FeatureContext } from "./features.ts";
import { seriesBefore } from "./forecast-model.ts";
import {
  boosterPredictor,
  CALIBRATION_LEADS_PER_ISSUE,
  calibrationFold,
  featureNamesOf,
  fitGroupModels,
  HourlyModelError,
  leadsOf,
  MIN_GROUP_TRAIN_ROWS,
  residualQuantiles,
  trainBooster,
} from "./hourly-model.ts";
import { HOURLY_ISSUE_FEATURES, HOURLY_LEAD_FEATURES, HOURLY_RECIPE } from "./hourly-recipes.ts";
import { MAX_LEAD_HOURS } from "./lead-features.ts";
import { buildLeadRows, type LeadGroup, type LeadRows, sampledLeads } from "./multilead-dataset.ts";
import { climatologySummary, STATION_FEATURE_NAMES, type StationDescriptors } from "./pooled-features.ts";
import { HOUR_MS, type HourlySeries, isoHour } from "./series.ts";
import { HourlyGrid } from "./series-grid.ts";

export const POOLED_RECIPE: LeadRecipe = {
  ...HOURLY_RECIPE,
  name: "nalssi-pooled-v1",
  description: `${HOURLY_RECIPE.description}; pooled over stations with station descriptors (lat, lon, altitude, climatology mean and amplitude)`,
  issueFeatures: [...HOURLY_ISSUE_FEATURES],
  leadFeatures: [...HOURLY_LEAD_FEATURES, ...STATION_FEATURE_NAMES],
};

/** Rows per lead group: bounds the step's memory (rows x columns x 8 bytes, twice) and CPU. */
export const DEFAULT_MAX_ROWS_PER_GROUP = 40_000;

export interface PoolMember {
  series: HourlySeries;
  /** Position, where known (the station catalog, a configured point). */
  position?: { lat: number | null; lon: number | null; altitude: number | null } | null;
}

export interface PooledMemberSetup {
  locationId: string;
  grid: HourlyGrid;
  ctx: FeatureContext;
  climatology: Climatology | null;
  station: StationDescriptors;
  /** Hours with a temperature before the cutoff. */
  hours: number;
}

export interface PooledSetup {
  recipe: LeadRecipe;
  cutoff: number;
  members: PooledMemberSetup[];
  maxRowsPerGroup: number;
}

const temps = (s: HourlySeries) => s.observations.filter((o) => typeof o.temperature === "number") as { time: number; temperature: number }[];

/** The pool climatology: the mean coefficients of the annual climatologies. */
function poolClimatology(cs: readonly Climatology[]): Climatology | null {
  const annual = cs.filter((c) => c.annual);
  if (!annual.length) return null;
  const k = annual[0]!.coefficients.length;
  const coefficients = Array.from({ length: k }, (_, j) => annual.reduce((s, c) => s + c.coefficients[j]!, 0) / annual.length);
  return {
    kind: "harmonic-v1",
    annual: true,
    coefficients,
    fittedFrom: Math.min(...annual.map((c) => c.fittedFrom)),
    fittedTo: Math.max(...annual.map((c) => c.fittedTo)),
    n: annual.reduce((s, c) => s + c.n, 0),
    rmse: 0,
  };
}

/** The pool climatology moved to a station's own mean over its hours (its RMSE there recorded). */
export function shiftedClimatology(pool: Climatology, series: HourlySeries): Climatology {
  const obs = temps(series);
  const offset = obs.length ? obs.reduce((s, o) => s + o.temperature - climatologyAt(pool, o.time), 0) / obs.length : 0;
  const c: Climatology = { ...pool, coefficients: pool.coefficients.map((x, j) => (j === 0 ? x + offset : x)), n: obs.length };
  if (obs.length) {
    c.fittedFrom = obs[0]!.time;
    c.fittedTo = obs.at(-1)!.time + HOUR_MS;
    c.rmse = Math.sqrt(obs.reduce((s, o) => s + (o.temperature - climatologyAt(c, o.time)) ** 2, 0) / obs.length);
  }
  return c;
}

/** Cuts every member at the cutoff, fits or borrows its climatology and computes its descriptors. */
export function preparePooled(
  members: readonly PoolMember[],
  cutoff: number,
  recipe: LeadRecipe = POOLED_RECIPE,
  maxRowsPerGroup = DEFAULT_MAX_ROWS_PER_GROUP,
): PooledSetup {
  if (members.length === 0) throw new HourlyModelError("a pooled set needs at least one station");
  const ids = members.map((m) => m.series.locationId);
  const dup = ids.find((id, k) => ids.indexOf(id) !== k);
  if (dup) throw new HourlyModelError(`station ${dup} is twice in the pool`);
  const cut = members.map((m) => seriesBefore(m.series, cutoff));
  const own = cut.map((s) => fitClimatology(s, { to: cutoff }));
  const pool = poolClimatology(own.filter((c): c is Climatology => c !== null));
  const out = members.map((m, k): PooledMemberSetup => {
    const series = cut[k]!;
    const mine = own[k];
    const useOwn = mine !== null && mine !== undefined && (mine.annual || pool === null);
    const climatology = useOwn ? mine : pool ? shiftedClimatology(pool, series) : null;
    const summary = climatology ? climatologySummary(climatology) : { mean: Number.NaN, amplitude: Number.NaN };
    const station: StationDescriptors = {
      lat: m.position?.lat ?? null,
      lon: m.position?.lon ?? null,
      altitude: m.position?.altitude ?? null,
      climMean: summary.mean,
      climAmplitude: summary.amplitude,
      climatologySource: useOwn ? "own" : "pool-shifted",
    };
    return {
      locationId: series.locationId,
      grid: new HourlyGrid(series),
      ctx: { climatology, kma: kmaLookup(series.kmaForecasts), station },
      climatology,
      station,
      hours: temps(series).length,
    };
  });
  if (out.every((m) => m.hours === 0)) throw new HourlyModelError(`no observations before the cutoff ${isoHour(cutoff)} at any of ${ids.join(", ")}`);
  return { recipe, cutoff, members: out, maxRowsPerGroup };
}

/** Keeps one issue hour in `stride`, at a hashed phase per station (so stations do not all keep the same hours). */
function strideKeep(stride: number, member: number, also?: (t: number) => boolean): ((t: number) => boolean) | undefined {
  if (stride <= 1) return also;
  return (t) => (Math.imul(Math.round(t / HOUR_MS) + member * 7919, 2654435761) >>> 0) % stride === 0 && (!also || also(t));
}

function strideFor(s: PooledSetup, rowsPerIssue: number): number {
  const issueHours = s.members.reduce((n, m) => n + m.hours, 0);
  return Math.max(1, Math.ceil((issueHours * rowsPerIssue) / s.maxRowsPerGroup));
}

/** Stacks lead rows of several stations (same columns). */
export function concatRows(parts: readonly LeadRows[]): LeadRows {
  const n = parts.reduce((s, p) => s + p.numRows, 0);
  const k = parts[0]?.numCols ?? 0;
  const cols = ["issueTime", "lead", "current", "target", "label", "diurnal", "climatology", "kma"] as const;
  const out = { numRows: n, numCols: k, data: new Float64Array(n * k) } as LeadRows;
  for (const c of cols) out[c] = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    out.data.set(p.data.subarray(0, p.numRows * k), at * k);
    for (const c of cols) out[c].set(p[c].subarray(0, p.numRows), at);
    at += p.numRows;
  }
  return out;
}

function poolRows(s: PooledSetup, group: LeadGroup, perIssue: number, keep?: (t: number) => boolean): LeadRows {
  const rowsPerIssue = perIssue > 0 ? Math.min(perIssue, group[1] - group[0] + 1) : group[1] - group[0] + 1;
  const stride = strideFor(s, rowsPerIssue);
  return concatRows(
    s.members.map((m, k) => {
      const keepIssue = strideKeep(stride, k, keep);
      return buildLeadRows(m.grid, {
        issueFeatures: s.recipe.issueFeatures,
        leadFeatures: s.recipe.leadFeatures,
        context: m.ctx,
        leads: leadsOf(group),
        targetBefore: s.cutoff,
        keepLead: sampledLeads(group, perIssue),
        ...(keepIssue ? { keep: keepIssue } : {}),
      });
    }),
  );
}

/** The shared group models (no climatology, no station: pooledArtifactFor adds the location's). */
export function fitPooledGroups(lgb: LightGBM, s: PooledSetup): { models: HourlyModels; boosters: Booster[] } {
  return fitGroupModels(lgb, {
    recipe: s.recipe,
    params: { ...s.recipe.params, verbosity: -1 },
    cutoff: s.cutoff,
    climatology: null,
    rowsFor: (group) => poolRows(s, group, s.recipe.leadsPerIssue),
    rowsLabel: "pooled training rows",
  });
}

/** One interval calibration for the pool: month-blocked cross-fitting, out-of-fold residuals of every member. */
export function calibratePooled(lgb: LightGBM, s: PooledSetup): HourlyArtifact["calibration"] {
  const K = s.recipe.calibrationFolds;
  const params = { ...s.recipe.params, verbosity: -1 };
  const names = featureNamesOf(s.recipe);
  const residuals: number[][] = Array.from({ length: MAX_LEAD_HOURS + 1 }, () => []);
  const span = MAX_LEAD_HOURS * HOUR_MS;
  for (let k = 0; k < K; k++) {
    const trainKeep = (t: number) => calibrationFold(t, K) !== k && calibrationFold(t + span, K) !== k;
    for (const group of s.recipe.groups) {
      const trainRows = poolRows(s, group, s.recipe.leadsPerIssue, trainKeep);
      if (trainRows.numRows < MIN_GROUP_TRAIN_ROWS) continue;
      const test = poolRows(s, group, CALIBRATION_LEADS_PER_ISSUE, (t) => calibrationFold(t, K) === k);
      if (test.numRows === 0) continue;
      const b = trainBooster(lgb, trainRows, params, names);
      try {
        const out = boosterPredictor(b)(test.data, test.numRows, test.numCols);
        for (let r = 0; r < test.numRows; r++) residuals[test.lead[r]!]!.push(test.label[r]! - out[r]!);
      } finally {
        b.free();
      }
    }
  }
  return { method: "cross-fit-residual-quantiles", folds: K, leads: residuals.slice(1).map((e, k) => residualQuantiles(e, k + 1)) };
}

/** The pooled set as a location's HourlyArtifact: the shared models with that location's climatology and descriptors. */
export function pooledArtifactFor(
  models: HourlyModels,
  calibration: HourlyArtifact["calibration"],
  member: Pick<PooledMemberSetup, "climatology" | "station">,
): HourlyArtifact {
  return { ...models, climatology: member.climatology, station: member.station, calibration };
}

/** Rows of a member's series (any span, e.g. a test year) with its pooled context. */
export function memberRows(s: PooledSetup, member: PooledMemberSetup, series: HourlySeries, leads: readonly number[], from: number, to: number): LeadRows {
  return buildLeadRows(new HourlyGrid(series), {
    issueFeatures: s.recipe.issueFeatures,
    leadFeatures: s.recipe.leadFeatures,
    context: { ...member.ctx, kma: kmaLookup(series.kmaForecasts) },
    leads,
    from,
    to,
  });
}
